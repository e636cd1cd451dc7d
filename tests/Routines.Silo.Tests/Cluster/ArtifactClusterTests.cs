using System.Text.Json;
using Routines.Client;
using Routines.Serialization;
using Routines.Silo.Tests.Fixtures;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Cluster;

/// <summary>
/// A 200 MB artifact made by a task on one worker process and read by a task on another, through each store: the
/// bytes arrive intact, and the service, which only ever sees the reference, does not grow by the artifact's size.
/// </summary>
public abstract class ArtifactClusterTests(ClusterFixture cluster, Xunit.Abstractions.ITestOutputHelper output)
{
    // As tests/Apps/SharedRoutines declares them.
    sealed record BlobSpec(int Megabytes, int Seed);

    sealed record BlobCheck(string Sha256, long Bytes, string Worker);

    const int Megabytes = 200;

    static long ResidentBytes(int processId)
        => long.Parse(File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;

    [Fact]
    public async Task A200MbArtifact_GoesFromAWorkerToAnother_Intact_WithoutGrowingTheService()
    {
        var serviceBefore = ResidentBytes(cluster.Service.Id);

        var run = await cluster.Client.ExecuteAsync("blob_relay", JsonSerializer.Serialize(new BlobSpec(Megabytes, 7), RoutineJson.Default));

        Assert.True(run.Status == RunStatus.Succeeded, $"{run.Error}\n{cluster.Logs()}");
        var check = JsonSerializer.Deserialize<BlobCheck>(run.OutputJson!, RoutineJson.Default)!;
        var children = await cluster.Client.ListChildrenAsync(run.RunId);
        var made = JsonSerializer.Deserialize<Artifact>(children.Single(c => c.RoutineName == "alpha_make_blob").OutputJson!, RoutineJson.Default)!;
        Assert.Equal((made.Hash, Megabytes * 1024L * 1024, "beta"), (check.Sha256, check.Bytes, check.Worker));
        var serviceGrowth = ResidentBytes(cluster.Service.Id) - serviceBefore;
        output.WriteLine($"service resident memory grew by {serviceGrowth / (1024 * 1024)} MB");
        Assert.True(serviceGrowth < Megabytes / 4 * 1024L * 1024, $"the service grew by {serviceGrowth:N0} bytes");

        // The lineage names the producer on alpha and the reader on beta.
        var lineage = await cluster.Client.GetLineageAsync(made.Hash);
        Assert.Contains(lineage, l => l.Role == ArtifactRole.Produced && l.RoutineId.Contains("alpha_make_blob"));
        Assert.Contains(lineage, l => l.Role == ArtifactRole.Read && l.RoutineId.Contains("beta_read_blob"));
    }
}

[Collection("cluster")]
public sealed class FileStoreArtifactClusterTests(ClusterFixture cluster, Xunit.Abstractions.ITestOutputHelper output) : ArtifactClusterTests(cluster, output);

/// <summary>The same cluster on Azure Blob Storage (Azurite) instead of a shared directory.</summary>
public sealed class AzureStoreArtifactClusterTests(AzureStoreArtifactClusterTests.AzureCluster cluster, Xunit.Abstractions.ITestOutputHelper output)
    : ArtifactClusterTests(cluster, output), IClassFixture<AzureStoreArtifactClusterTests.AzureCluster>
{
    public sealed class AzureCluster : ClusterFixture
    {
        AzuriteServer? _azurite;

        public override async Task InitializeAsync()
        {
            _azurite = await AzuriteServer.StartAsync();
            await base.InitializeAsync();
        }

        protected override Dictionary<string, string> Settings(string name) => new()
        {
            ["Routines__Artifacts__Store"] = "azure",
            ["Routines__Artifacts__ConnectionString"] = _azurite!.ConnectionString,
            ["Routines__Artifacts__Container"] = "cluster-artifacts",
        };

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            if (_azurite is not null) await _azurite.DisposeAsync();
        }
    }
}
