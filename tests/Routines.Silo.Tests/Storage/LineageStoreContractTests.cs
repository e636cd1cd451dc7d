using Routines.Client;
using Routines.Silo.Artifacts;
using Routines.Silo.Storage;
using Routines.Silo.Storage.Postgres;
using Routines.Silo.Storage.Sqlite;
using Routines.Silo.Tests.Fixtures;

namespace Routines.Silo.Tests.Storage;

/// <summary>What both lineage stores must do alike: keep each line once, list by run and by artifact, and say what is still held.</summary>
public abstract class LineageStoreContractTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    static readonly Artifact Data = new("sha256:" + new string('1', 64), 1_000_000, "text/csv", "data.csv");
    static readonly Artifact Model = new("sha256:" + new string('2', 64), 42, "application/octet-stream");
    static readonly Artifact Orphan = new("sha256:" + new string('3', 64), 7, "image/png", "loss.png");

    /// <summary>A lineage store, and the run store beside it (whose runs decide which lines still hold).</summary>
    private protected abstract Task<(ILineageStore Lineage, IRunStore Runs)> CreateStoresAsync();

    static RunInfo Run(string id) => new()
    {
        RunId = id, RoutineId = "tname:train:1.0.0", RoutineName = "train", RoutineVersion = "1.0.0", Kind = RoutineKind.Task,
        Status = RunStatus.Succeeded, InputJson = "{}", RootRunId = id, CreatedAt = T0,
    };

    [Fact]
    public async Task Lines_ComeBackByRunAndByArtifact_InOrder_AndALineRecordedTwiceIsKeptOnce()
    {
        var (lineage, _) = await CreateStoresAsync();
        var produced = new RunArtifact("make", "tname:make:1.0.0", Data, ArtifactRole.Produced, T0);
        var output = produced with { Role = ArtifactRole.Output };
        var input = new RunArtifact("train", "tname:train:1.0.0", Data, ArtifactRole.Input, T0.AddMinutes(1));
        var read = input with { Role = ArtifactRole.Read, RecordedAt = T0.AddMinutes(2) };
        var model = new RunArtifact("train", "tname:train:1.0.0", Model, ArtifactRole.Produced, T0.AddMinutes(2));

        await lineage.RecordAsync([produced, output]);
        await lineage.RecordAsync([input]);
        await lineage.RecordAsync([read, model, input with { RecordedAt = T0.AddDays(1) }]);

        Assert.Equal([produced, output, input, read], await lineage.ListForArtifactAsync(Data.Hash));
        Assert.Equal([input, read, model], await lineage.ListForRunAsync("train"));
        Assert.Empty(await lineage.ListForRunAsync("other"));
        Assert.Empty(await lineage.ListForArtifactAsync(Orphan.Hash));
    }

    [Fact]
    public async Task HeldArtifacts_AreThoseOfStoredRuns_OrRecordedSinceTheGrace_AndLinesOfRemovedRunsGo()
    {
        var (lineage, runs) = await CreateStoresAsync();
        await runs.SaveRunAsync(Run("kept"), []);
        await lineage.RecordAsync([
            new RunArtifact("kept", "tname:train:1.0.0", Data, ArtifactRole.Produced, T0),
            new RunArtifact("gone", "tname:train:1.0.0", Orphan, ArtifactRole.Produced, T0),
            new RunArtifact("arriving", "tname:train:1.0.0", Model, ArtifactRole.Input, T0.AddHours(2)),
        ]);

        var held = await lineage.ListHeldAsync(T0.AddHours(1));

        Assert.Equal(new HashSet<string> { Data.Hash, Model.Hash }, held.ToHashSet());
        Assert.Empty(await lineage.ListForRunAsync("gone"));
        Assert.Single(await lineage.ListForRunAsync("arriving"));
    }
}

public sealed class SqliteLineageStoreTests : LineageStoreContractTests
{
    private protected override async Task<(ILineageStore, IRunStore)> CreateStoresAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "routines-tests", Guid.NewGuid().ToString("N"), "routines.db");
        var runs = new SqliteRunStore(new SqliteRunStoreOptions { Path = path });
        await runs.InitializeAsync();
        return (new SqliteLineageStore(path), runs);
    }
}

[Collection("postgres")]
public sealed class PostgresLineageStoreTests(PostgresFixture postgres) : LineageStoreContractTests, IAsyncLifetime
{
    readonly List<IAsyncDisposable> _stores = [];

    private protected override async Task<(ILineageStore, IRunStore)> CreateStoresAsync()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        var runs = new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = connectionString });
        await runs.InitializeAsync();
        var lineage = new PostgresLineageStore(connectionString);
        _stores.AddRange([runs, lineage]);
        return (lineage, runs);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
    }
}
