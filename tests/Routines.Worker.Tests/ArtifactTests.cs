using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routines.Client;
using Routines.Serialization;
using Routines.Silo.Artifacts;
using Routines.Testing;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

/// <summary>Artifacts in the embedded default: the file store beside the SQLite file, lineage, integrity, cache keys.</summary>
public sealed class ArtifactTests : IAsyncLifetime
{
    readonly Executions _executions = new();
    RoutineTestEnvironment _env = null!;

    public async Task InitializeAsync()
        => _env = await RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(_executions));

    public async Task DisposeAsync() => await _env.DisposeAsync();

    string BlobsDirectory => Path.Combine(Path.GetDirectoryName(_env.StorePath)!, "artifacts", "sha256");

    string BlobPath(Artifact artifact) => Path.Combine(BlobsDirectory, artifact.Hash[7..9], artifact.Hash[7..]);

    static string Csv(int rows)
    {
        var csv = new StringBuilder("x,y\n");
        for (var i = 0; i < rows; i++) csv.Append(i).Append(',').Append(i * i).Append('\n');
        return csv.ToString();
    }

    async Task<Artifact> MakeTableAsync(int rows, string key)
    {
        var run = await _env.RunAsync("art_make_table", new TableInput(rows, key));
        Assert.Equal(RunStatus.Succeeded, run.Status);
        return JsonSerializer.Deserialize<TableOutput>(run.OutputJson!, RoutineJson.Default)!.Table;
    }

    [Fact]
    public async Task AWorkflow_PassesAReference_AndTheNextTaskReadsTheBytes_WithLineageForEachRun()
    {
        var run = await _env.RunAsync("art_pipeline", new PipelineInput(50, "pipe"));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var output = JsonSerializer.Deserialize<TableOutput>(run.OutputJson!, RoutineJson.Default)!;
        Assert.Equal(50, output.Rows);
        var bytes = Encoding.UTF8.GetBytes(Csv(50));
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), output.Table.Hash);
        Assert.Equal(bytes.Length, output.Table.Size);
        Assert.Equal(("text/csv", "table.csv"), (output.Table.MediaType, output.Table.Name));
        // The input and output records carry the reference, never the bytes.
        var children = await _env.Client.ListChildrenAsync(run.RunId);
        Assert.All(children, c => Assert.DoesNotContain("0,0", c.InputJson + c.OutputJson));

        var lineage = await _env.Client.GetLineageAsync(output.Table.Hash);
        var (make, count) = (children.Single(c => c.RoutineName == "art_make_table"), children.Single(c => c.RoutineName == "art_count_rows"));
        Assert.Equivalent(new[]
        {
            (make.RunId, ArtifactRole.Produced), (make.RunId, ArtifactRole.Output), (count.RunId, ArtifactRole.Input),
            (count.RunId, ArtifactRole.Read), (run.RunId, ArtifactRole.Output),
        }, lineage.Select(l => (l.RunId, l.Role)).ToArray());
        Assert.Equal(ArtifactRole.Produced, Assert.Single(await _env.Client.ListArtifactsAsync(make.RunId), l => l.Role == ArtifactRole.Produced).Role);

        await using var stream = await _env.Client.OpenArtifactAsync(output.Table.Hash);
        using var read = new MemoryStream();
        await stream.CopyToAsync(read);
        Assert.Equal(bytes, read.ToArray());
    }

    [Fact]
    public async Task IdenticalContent_IsStoredOnce_AndRunsOverTheSameArtifact_HitOneCacheEntry()
    {
        var first = await MakeTableAsync(20, "once-a");
        var second = await MakeTableAsync(20, "once-b"); // another input, the same bytes

        Assert.Equal(first, second);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(BlobPath(first))!), f => Path.GetFileName(f) == first.Hash[7..]);

        var counted = await _env.RunAsync("art_count_rows", new CountInput(first, "cache"));
        var again = await _env.RunAsync("art_count_rows", new CountInput(second, "cache"));
        Assert.Equal((RunStatus.Succeeded, "20"), (again.Status, again.OutputJson));
        Assert.Equal(counted.RunId, again.CachedFromRunId);
        Assert.Equal(1, _executions.Count("cache"));
    }

    [Fact]
    public async Task ALargeOutput_IsStoredAsAnArtifactByTheEngine_AndEveryReaderGetsItWhole()
    {
        var run = await _env.RunAsync("art_big_parent", new TableInput(4000, "big"));

        Assert.Equal((RunStatus.Succeeded, "4000"), (run.Status, run.OutputJson)); // the workflow got the whole list back
        var child = Assert.Single(await _env.Client.ListChildrenAsync(run.RunId));
        Assert.StartsWith("""{"$offloaded":{"artifact":"sha256:""", child.OutputJson);
        Assert.True(child.OutputJson!.Length < 300, child.OutputJson);
        var stored = OffloadedOutput.Of(child.OutputJson)!;
        Assert.Equal(("application/json", "output.json"), (stored.MediaType, stored.Name));
        Assert.True(stored.Size > 256 * 1024, $"{stored.Size} bytes");
        Assert.Contains(await _env.Client.ListArtifactsAsync(child.RunId), l => l.Role == ArtifactRole.Produced && l.Artifact.Hash == stored.Hash);

        var direct = await _env.Client.SubmitAsync("art_big_output", JsonSerializer.Serialize(new TableInput(4000, "big-direct"), RoutineJson.Default));
        var output = await direct.GetResultAsync<BigOutput>();
        Assert.Equal(4000, output.Lines.Count);
        Assert.Equal("line 3999 of big-direct: " + new string('x', 80), output.Lines[^1]);
    }

    [Fact]
    public async Task AnOutputUnderTheThreshold_StaysInTheRecord()
    {
        var run = await _env.RunAsync("art_big_output", new TableInput(10, "small"));

        Assert.StartsWith("""{"lines":["line 0 of small""", run.OutputJson);
    }

    [Fact]
    public async Task ARoutineReadsAnArtifactAsALocalFile()
    {
        var table = await MakeTableAsync(7, "file");

        var run = await _env.RunAsync("art_count_rows", new CountInput(table, "via-file", ViaFile: true));

        Assert.Equal((RunStatus.Succeeded, "7"), (run.Status, run.OutputJson));
    }

    [Fact]
    public async Task ACorruptBlob_FailsTheReadNamingTheArtifact_AsTheStoresError_AndARetryAfterRestoringSucceeds()
    {
        var table = await MakeTableAsync(30, "corrupt");
        var path = BlobPath(table);
        var good = await File.ReadAllBytesAsync(path);
        File.SetAttributes(path, FileAttributes.Normal); // stored read-only
        var bad = (byte[])good.Clone();
        bad[10] ^= 0x20;
        await File.WriteAllBytesAsync(path, bad);

        var failed = await _env.RunAsync("art_count_rows", new CountInput(table, "corrupt-count"));

        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal(typeof(ArtifactUnavailableException).FullName, failed.Error!.Type);
        Assert.Contains($"Artifact table.csv ({table.Hash}) is corrupt in the artifact store: its bytes hash to sha256:", failed.Error.Message);
        var throughClient = await Assert.ThrowsAsync<ArtifactUnavailableException>(async () =>
        {
            await using var stream = await _env.Client.OpenArtifactAsync(table.Hash);
            await stream.CopyToAsync(Stream.Null);
        });
        Assert.Equal(table.Hash, throughClient.Hash);

        await File.WriteAllBytesAsync(path, good);
        var retried = await (await _env.Client.RetryAsync(failed.RunId)).WaitAsync();
        Assert.Equal((RunStatus.Succeeded, "30"), (retried.Status, retried.OutputJson));
    }

    [Fact]
    public async Task AStoreErrorTheRoutineHidesBehindItsOwn_IsStillTheAttemptsError()
    {
        var table = await MakeTableAsync(3, "hidden");
        File.SetAttributes(BlobPath(table), FileAttributes.Normal);
        await File.WriteAllTextAsync(BlobPath(table), "x,y\n1,2\n3,4\n");

        var failed = await _env.RunAsync("art_swallow", new CountInput(table, "hidden-read"));

        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal(typeof(ArtifactUnavailableException).FullName, failed.Error!.Type);
        Assert.Contains($"Artifact table.csv ({table.Hash}) is corrupt in the artifact store: it holds 12 bytes, not the ", failed.Error.Message);
    }

    [Fact]
    public async Task AnInputNamingAnArtifactTheStoreLacks_IsRefusedAtSubmit_AndNothingIsRecorded()
    {
        var missing = new Artifact("sha256:" + new string('a', 64), 10, "text/csv");

        var error = await Assert.ThrowsAsync<InvalidRoutineInputException>(() =>
            _env.Client.SubmitAsync("art_count_rows", JsonSerializer.Serialize(new CountInput(missing, "never"), RoutineJson.Default)));

        Assert.Equal("$.table", error.Path);
        Assert.Contains($"names artifact {missing.Hash}, which the artifact store", error.Problem);
        Assert.Equal(0, (await _env.Client.ListRunsAsync(new RunFilter { RoutineName = "art_count_rows", Take = 0 })).Total);
    }

    [Theory]
    [InlineData("""{"table":{"artifact":"sha256:abc","size":3,"mediaType":"text/csv"},"key":"k"}""", "$.table.artifact")]
    [InlineData("""{"table":{"artifact":"sha256:0000000000000000000000000000000000000000000000000000000000000000","mediaType":"text/csv"},"key":"k"}""", "$.table.size")]
    [InlineData("""{"table":"data.csv","key":"k"}""", "$.table")]
    public async Task AMalformedReference_IsRefusedAtSubmit_AtItsPath(string input, string path)
    {
        var error = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => _env.Client.SubmitAsync("art_count_rows", input));

        Assert.Equal(path, error.Path);
    }

    [Fact]
    public async Task AClientOpeningAnArtifactNoRunRecords_GetsAClearError()
    {
        var error = await Assert.ThrowsAsync<ArtifactUnavailableException>(() => _env.Client.OpenArtifactAsync("sha256:" + new string('b', 64)));

        Assert.Equal($"No run records artifact sha256:{new string('b', 64)}: there is nothing of that hash to read.", error.Message);
    }

    async Task<Artifact> StoreOldBlobAsync(string text, TimeSpan age)
    {
        var store = _env.Services.GetRequiredService<ArtifactStore>();
        var artifact = await store.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), "text/plain", null, CancellationToken.None);
        File.SetLastWriteTimeUtc(BlobPath(artifact), DateTime.UtcNow - age);
        return artifact;
    }

    [Fact]
    public async Task TheSweep_RemovesOldArtifactsNoRunReferences_AndKeepsReferencedAndRecentOnes()
    {
        var referenced = await MakeTableAsync(11, "sweep-kept");
        File.SetLastWriteTimeUtc(BlobPath(referenced), DateTime.UtcNow - TimeSpan.FromDays(30));
        var orphan = await StoreOldBlobAsync("nobody's", TimeSpan.FromHours(2));
        var recent = await StoreOldBlobAsync("just saved", TimeSpan.FromMinutes(5));

        var (count, bytes) = await _env.Services.GetRequiredService<ArtifactSweep>().RunAsync(CancellationToken.None);

        Assert.Equal((1, orphan.Size), (count, bytes));
        Assert.False(File.Exists(BlobPath(orphan)));
        Assert.True(File.Exists(BlobPath(referenced)));
        Assert.True(File.Exists(BlobPath(recent)));
    }

    [Fact]
    public async Task TheSweep_KeepsWhatWasStoredSinceTheOldestUnfinishedRunStarted_ThenRemovesItOnceThatRunEnds()
    {
        var running = await _env.Client.SubmitAsync("long_wait", """{"key":"sweep-running","seconds":30}""");
        await _executions.StartedSignal("sweep-running").Task.WaitAsync(TimeSpan.FromSeconds(30));
        // As a running attempt's save would be: in the store, not yet reported, and (here) older than the grace.
        var unreported = await StoreOldBlobAsync("a checkpoint", TimeSpan.Zero);
        var run = await _env.Client.GetRunAsync(running.RunId);
        File.SetLastWriteTimeUtc(BlobPath(unreported), run!.CreatedAt.UtcDateTime.AddMilliseconds(1));
        var sweep = _env.Services.GetRequiredService<ArtifactSweep>();
        var options = _env.Services.GetRequiredService<global::Routines.Silo.Runs.RetentionOptions>();
        var grace = options.UnreferencedArtifacts;
        options.UnreferencedArtifacts = TimeSpan.Zero;
        try
        {
            Assert.Equal(0, (await sweep.RunAsync(CancellationToken.None)).Count);
            Assert.True(File.Exists(BlobPath(unreported)));

            await _env.Client.CancelAsync(running.RunId);
            await running.WaitAsync();
            Assert.Equal(1, (await sweep.RunAsync(CancellationToken.None)).Count);
            Assert.False(File.Exists(BlobPath(unreported)));
        }
        finally
        {
            options.UnreferencedArtifacts = grace;
        }
    }
}
