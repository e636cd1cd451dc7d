using Microsoft.Extensions.Logging;
using Npgsql;
using Routines.Client;
using Routines.Silo.Storage;
using Routines.Silo.Storage.Postgres;
using Routines.Silo.Tests.Fixtures;
using Routines.Silo.Hosting;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Storage;

/// <summary>The run store contract on a real PostgreSQL server (a fresh database per test), plus what only a server-based store has to get right.</summary>
[Collection("postgres")]
public sealed class PostgresRunStoreTests(PostgresFixture postgres) : RunStoreContractTests
{
    private const string Password = "s3cret-pa55word";

    private readonly List<PostgresRunStore> _stores = [];
    private string? _connectionString;

    private string ConnectionString => _connectionString ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    private protected override async Task<IRunStore> CreateStoreAsync()
    {
        _connectionString = await postgres.Server.CreateDatabaseAsync();
        return await OpenAsync(_connectionString);
    }

    private protected override async Task<IRunStore> ReopenAsync()
    {
        await ((PostgresRunStore)Store).DisposeAsync();
        return await OpenAsync(ConnectionString);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _stores) await store.DisposeAsync();
    }

    [Fact]
    public async Task InitializeAgain_AndFromAnotherStore_KeepsTheSchemaAndTheData()
    {
        await Store.SaveRunAsync(NewRun("run-1"), []);

        await Store.InitializeAsync();
        var second = await OpenAsync(ConnectionString);
        var third = await OpenAsync(ConnectionString, migrateOnStart: false);

        Assert.NotNull(await second.GetRunAsync("run-1"));
        Assert.NotNull(await third.GetRunAsync("run-1"));
        Assert.Equal(PostgresMigrations.Known, await AppliedMigrationsAsync(ConnectionString));
    }

    [Fact]
    public async Task TwoStoresInitializingANewDatabaseAtOnce_BothSucceed()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        var one = Track(new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = connectionString }));
        var two = Track(new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = connectionString }));

        await Task.WhenAll(one.InitializeAsync(), two.InitializeAsync());

        await one.SaveRunAsync(NewRun("run-1"), []);
        await two.SaveRunAsync(NewRun("run-2"), []);
        Assert.NotNull(await two.GetRunAsync("run-1"));
        Assert.NotNull(await one.GetRunAsync("run-2"));
        Assert.Equal(PostgresMigrations.Known, await AppliedMigrationsAsync(connectionString));
    }

    /// <summary>
    /// Two stores saving the same runs at once, each batch moving them to other statuses, and no save saying what it
    /// replaces (as from a grain that took its run for new): a batch that meets a stored run is written again by the
    /// statement that counts down the status the row had when it locked it (decisions #73, #76), so the kept counts
    /// still agree with the rows.
    /// </summary>
    [Fact]
    public async Task TwoStoresSavingTheSameRunsAtOnce_AsNewRuns_KeepTheCountsExact()
    {
        var other = await OpenAsync(ConnectionString);
        var statuses = Enum.GetValues<RunStatus>();
        var runs = Enumerable.Range(0, 200).Select(i => NewRun($"run-{i:D3}", name: i % 3 == 0 ? "train_model" : "evaluate_model",
            created: T0.AddSeconds(i), parent: i % 4 == 0 ? null : "run-000", root: i % 4 == 0 ? null : "run-000")).ToArray();

        await Task.WhenAll(Enumerable.Range(0, 8).SelectMany(round => runs.Select((run, i) =>
            (round % 2 == 0 ? Store : other).SaveRunAsync(run with { Status = statuses[(i * 7 + round) % statuses.Length] }, []))));

        foreach (var status in statuses)
        foreach (var rootsOnly in (bool[])[false, true])
        {
            var kept = new RunFilter { Status = status, RootsOnly = rootsOnly, Take = 0 };
            var counted = await Store.ListRunsAsync(kept with { CreatedAfter = T0.AddYears(-1) }); // a time range counts the rows
            Assert.Equal(counted.Total, (await Store.ListRunsAsync(kept)).Total);
            Assert.Equal(counted.Total, (await other.ListRunsAsync(kept)).Total);
        }
        Assert.Equal(runs.Length, (await Store.ListRunsAsync(new RunFilter { Take = 0 })).Total);
    }

    /// <summary>
    /// Saves that say the status they replace, as a run's grain makes them (decision #76): a new run inserted, then its
    /// status changes written as changes of the stored row, some sent at once so that a batch holds two saves of one
    /// run. Every record reads back as last saved, and the kept counts agree with the rows.
    /// </summary>
    [Fact]
    public async Task SavesSayingWhatTheyReplace_StoreEachRecord_AndKeepTheCountsExact()
    {
        var runs = Enumerable.Range(0, 60).Select(i => NewRun($"run-{i:D3}", name: i % 3 == 0 ? "train_model" : "evaluate_model",
            created: T0.AddSeconds(i), parent: i % 4 == 0 ? null : "run-000", root: i % 4 == 0 ? null : "run-000")).ToArray();
        await Task.WhenAll(runs.Select(run => Store.SaveRunAsync(run, [], stored: null)));

        var running = runs.Select((run, i) => run with
        {
            Status = RunStatus.Running, Attempt = 1, MaxAttempts = 4, ParentAttempt = 2, Worker = $"worker-{i % 2}", WaitReason = null,
            StartedAt = T0.AddMinutes(1), Progress = new RunProgress(i, 100, "epoch", T0.AddMinutes(2)),
        }).ToArray();
        var ended = running.Select((run, i) => run with
        {
            Status = i % 5 == 0 ? RunStatus.Failed : RunStatus.Succeeded, FinishedAt = T0.AddMinutes(3),
            OutputJson = i % 5 == 0 ? null : $$"""{"accuracy":{{i}}}""", Error = i % 5 == 0 ? new RunError("Boom", "it broke") : null,
        }).ToArray();
        // The even runs' two changes are sent together; the odd ones' one after the other.
        await Task.WhenAll(runs.Select(async (_, i) =>
        {
            var toRunning = Store.SaveRunAsync(running[i], [], stored: RunStatus.Pending);
            if (i % 2 == 1) await toRunning;
            await Task.WhenAll(toRunning, Store.SaveRunAsync(ended[i], [], stored: RunStatus.Running));
        }));

        foreach (var expected in ended)
        {
            var stored = await Store.GetRunAsync(expected.RunId);
            Assert.NotNull(stored);
            Assert.Equal(
                (expected.Status, expected.Attempt, expected.MaxAttempts, expected.ParentAttempt, expected.Worker, expected.StartedAt,
                    expected.FinishedAt, expected.OutputJson, expected.Error?.Type, expected.Progress, expected.InputJson, expected.ParentRunId),
                (stored.Status, stored.Attempt, stored.MaxAttempts, stored.ParentAttempt, stored.Worker, stored.StartedAt,
                    stored.FinishedAt, stored.OutputJson, stored.Error?.Type, stored.Progress, stored.InputJson, stored.ParentRunId));
        }
        await AssertCountsAgreeWithTheRowsAsync();
    }

    /// <summary>
    /// A save that failed leaves its grain believing a status the row does not have; the store knows which runs it
    /// failed to write and counts their next save from the row (decision #76), not from what the save says it replaces.
    /// </summary>
    [Fact]
    public async Task AFailedSave_TheRunsNextSave_CountsFromTheRow()
    {
        var run = NewRun("run-1");
        await Store.SaveRunAsync(run, [], stored: null);
        await Store.SaveRunAsync(run with { Status = RunStatus.Running, Attempt = 1 }, [], stored: RunStatus.Pending);
        // A cache key too long for its index fails the write of the run's success, which goes with it.
        var tooLong = string.Concat(Enumerable.Range(0, 400).Select(_ => Guid.NewGuid().ToString("N")));
        await Assert.ThrowsAnyAsync<Exception>(() => Store.SaveRunAsync(run with { Status = RunStatus.Succeeded, Attempt = 1 }, [],
            new CacheEntry(tooLong, run.RoutineId, "{}", run.RunId, T0), stored: RunStatus.Running));

        // Its grain took the success for stored.
        await Store.SaveRunAsync(run with { Status = RunStatus.Failed, Attempt = 1 }, [], stored: RunStatus.Succeeded);

        Assert.Equal(RunStatus.Failed, (await Store.GetRunAsync("run-1"))!.Status);
        await AssertCountsAgreeWithTheRowsAsync();
        Assert.Equal(0, (await Store.ListRunsAsync(new RunFilter { Status = RunStatus.Running, Take = 0 })).Total);
    }

    /// <summary>Every count the store keeps (by status, roots only or not) equals the rows counted.</summary>
    private async Task AssertCountsAgreeWithTheRowsAsync()
    {
        foreach (var status in Enum.GetValues<RunStatus>())
        foreach (var rootsOnly in (bool[])[false, true])
        {
            var kept = new RunFilter { Status = status, RootsOnly = rootsOnly, Take = 0 };
            var counted = await Store.ListRunsAsync(kept with { CreatedAfter = T0.AddYears(-1) }); // a time range counts the rows
            Assert.True(counted.Total == (await Store.ListRunsAsync(kept)).Total, $"{status}, roots only {rootsOnly}: kept "
                + $"{(await Store.ListRunsAsync(kept)).Total}, counted {counted.Total}");
        }
    }

    /// <summary>A policy at its defaults is stored in a few bytes: it is written with each of a run's records (decision #73).</summary>
    [Fact]
    public async Task DefaultPolicy_IsStoredWithoutItsDefaults()
    {
        await Store.SaveRunAsync(NewRun("run-1") with { Policy = new RunPolicy(new RetryPolicy(), TimeSpan.FromHours(1), false, ExecutionPolicy.Remote) }, []);

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT policy_json FROM runs WHERE run_id = 'run-1'", connection);
        Assert.Equal("""{"retry":{},"timeout":"01:00:00"}""", await command.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UnreachableServer_InitializeFails_NamingHostPortAndDatabase_NotThePassword(bool migrateOnStart)
    {
        var port = FreePort.Next(); // nothing listens there: connecting is refused at once
        var store = Track(new PostgresRunStore(new PostgresRunStoreOptions
        {
            ConnectionString = $"Host=127.0.0.1;Port={port};Database=routines_nowhere;Username=routines;Password={Password};Timeout=5",
            MigrateOnStart = migrateOnStart,
        }));

        var error = await Assert.ThrowsAsync<RunStoreException>(() => store.InitializeAsync());

        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Contains("routines_nowhere", error.Message);
        Assert.DoesNotContain(Password, error.Message);
    }

    [Fact]
    public async Task MigrateOnStartOff_EmptyDatabase_InitializeFails_AskingToRunMigrate()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        var store = Track(new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = connectionString, MigrateOnStart = false }));

        var error = await Assert.ThrowsAsync<RunStoreException>(() => store.InitializeAsync());

        Assert.Contains("has no Routines schema", error.Message);
        Assert.Contains("`migrate`", error.Message);
        Assert.Contains("MigrateOnStart", error.Message);
        Assert.Contains(new NpgsqlConnectionStringBuilder(connectionString).Database!, error.Message);
    }

    [Fact]
    public async Task MigrateOnStartOff_MigratedDatabase_Opens()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        await PostgresMigrations.ApplyAsync(connectionString);

        var store = await OpenAsync(connectionString, migrateOnStart: false);

        await store.SaveRunAsync(NewRun("run-1"), []);
        Assert.NotNull(await store.GetRunAsync("run-1"));
    }

    [Fact]
    public async Task WriteThePostgresServerRejects_FailsAlone_AndTheOthersAreStored()
    {
        // A key far over the btree limit (about 2.7 kB): the server rejects the row, and it must not take the others with it.
        var hugeRunId = string.Concat(Enumerable.Range(0, 400).Select(_ => Guid.NewGuid().ToString("N")));
        var good = Enumerable.Range(0, 100).Select(i => Store.SaveRunAsync(NewRun($"run-{i}"), [])).ToArray();
        var bad = Store.AppendLogsAsync([new RunLogLine(hugeRunId, 1, T0, LogLevel.Information, "lost", 1)]);
        var more = Enumerable.Range(100, 100).Select(i => Store.SaveRunAsync(NewRun($"run-{i}"), [])).ToArray();

        var error = await Assert.ThrowsAsync<RunStoreException>(() => bad);
        await Task.WhenAll([.. good, .. more]);

        Assert.Contains("rejected a value", error.Message);
        Assert.Equal(200, (await Store.ListRunsAsync(new RunFilter())).Total);
        await Store.SaveRunAsync(NewRun("run-after"), []);
        Assert.NotNull(await Store.GetRunAsync("run-after"));
    }

    [Fact]
    public async Task WriterConnectionKilledByTheServer_TheWriteThatFindsItDeadIsStoredOnANewOne()
    {
        await Store.SaveRunAsync(NewRun("run-1"), []);

        // What an administrator, or a proxy's idle timeout, does to the writer's idle connection.
        await using (var admin = new NpgsqlConnection(ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = admin.CreateCommand();
            kill.CommandText = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
            Assert.True((long)(await kill.ExecuteScalarAsync())! >= 1);
        }

        await Store.SaveRunAsync(NewRun("run-2"), [Submitted("run-2")]);
        await Store.SaveRunAsync(NewRun("run-3"), [Submitted("run-3")]);

        Assert.Single(await Store.GetHistoryAsync("run-2"));
        Assert.Single(await Store.GetHistoryAsync("run-3"));
    }

    [Fact]
    public async Task ServerRestartedWhileWritesArrive_EveryWriteIsStoredOnce()
    {
        using var writing = new CancellationTokenSource();
        var written = Enumerable.Range(0, 4).Select(_ => new List<string>()).ToArray();
        int Acknowledged(int writer) { lock (written[writer]) return written[writer].Count; }
        var writers = Enumerable.Range(0, written.Length).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !writing.IsCancellationRequested; i++)
            {
                var id = $"run-{w}-{i}";
                await Task.WhenAll(
                    Store.SaveRunAsync(NewRun(id), [Submitted(id)]),
                    Store.AppendMetricsAsync([new MetricPoint(id, "loss", 1, 0.5, T0)]));
                lock (written[w]) written[w].Add(id);
            }
        })).ToList();

        // Conditions, not delays: every writer has had writes acknowledged before the stop, and again after the restart.
        await Eventually.TrueAsync(() => Task.FromResult(Enumerable.Range(0, written.Length).All(w => Acknowledged(w) >= 3)), TimeSpan.FromSeconds(30), "writes before the stop");
        await postgres.Server.StopAsync(); // writes in flight are rolled back, connections cut
        var beforeRestart = Enumerable.Range(0, written.Length).Select(Acknowledged).ToArray();
        try
        {
            await Task.Delay(1500);
            Assert.All(writers, writer => Assert.False(writer.IsCompleted)); // waiting for the server, not failed
        }
        finally
        {
            await postgres.Server.StartAgainAsync();
        }

        await Eventually.TrueAsync(() => Task.FromResult(Enumerable.Range(0, written.Length).All(w => Acknowledged(w) >= beforeRestart[w] + 3)),
            TimeSpan.FromSeconds(30), "writes after the restart");
        await writing.CancelAsync();
        await Task.WhenAll(writers);

        var ids = written.SelectMany(w => w).ToList();
        foreach (var id in ids)
        {
            Assert.Single(await Store.GetHistoryAsync(id));
            Assert.Single(await Store.GetMetricsAsync(id));
        }
    }

    [Fact]
    public async Task ConnectionLostAfterTheServerCommitted_TheWriteIsNotStoredTwice()
    {
        await using var proxy = new MutingProxy(postgres.Server.Port);
        var throughProxy = new NpgsqlConnectionStringBuilder(ConnectionString) { Port = proxy.Port, CommandTimeout = 2, CancellationTimeout = 500 };
        var store = await OpenAsync(throughProxy.ConnectionString);
        await store.SaveRunAsync(NewRun("run-1"), [Submitted("run-1")]); // the writer's connection and its marker row exist

        // Hold the writer's marker row, so that the next batch waits on the server with its rows written but not committed.
        await using var admin = new NpgsqlConnection(ConnectionString);
        await admin.OpenAsync();
        await using var transaction = await admin.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT * FROM run_store_writers FOR UPDATE", admin, transaction)) await hold.ExecuteNonQueryAsync();

        var write = Task.WhenAll(
            store.SaveRunAsync(NewRun("run-2"), [Submitted("run-2")]),
            store.AppendMetricsAsync([new MetricPoint("run-2", "loss", 1, 0.5, T0)]));
        await Eventually.TrueAsync(async () =>
        {
            await using var waiting = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()", admin, transaction);
            return (long)(await waiting.ExecuteScalarAsync())! == 1;
        }, TimeSpan.FromSeconds(10), "the writer's batch waiting on the held row");

        // The reply to the batch is lost on the way back; the server commits it when the row is released.
        proxy.MuteOpenConnections();
        await transaction.CommitAsync();

        await write; // the store finds out it was committed: no error, no second copy
        // Read directly: the proxied store's pooled reader connections are muted too.
        Assert.Single(await Store.GetHistoryAsync("run-2"));
        Assert.Single(await Store.GetMetricsAsync("run-2"));
        await store.SaveRunAsync(NewRun("run-3"), [Submitted("run-3")]);
        Assert.Single(await Store.GetHistoryAsync("run-3"));
    }

    [Fact]
    public async Task ServerAwayLongerThanTheOutageTolerance_TheWriteFailsSayingSo_AndLaterOnesLandWhenItIsBack()
    {
        var store = Track(new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = ConnectionString, OutageTolerance = TimeSpan.FromSeconds(2) }));
        await store.InitializeAsync();
        await store.SaveRunAsync(NewRun("run-1"), []);

        await postgres.Server.StopAsync();
        RunStoreException onTheOldConnection, onNone;
        try
        {
            onTheOldConnection = await Assert.ThrowsAsync<RunStoreException>(() => store.SaveRunAsync(NewRun("run-lost"), [Submitted("run-lost")]));
            // The next write finds no connection to send on, and the outage already past the tolerance: it fails after one try.
            onNone = await Assert.ThrowsAsync<RunStoreException>(() => store.SaveRunAsync(NewRun("run-refused"), []));
        }
        finally
        {
            await postgres.Server.StartAgainAsync();
        }

        // Sent on a connection that broke, a write may have been committed before the server went: the store cannot tell.
        Assert.Contains("kept trying for", onTheOldConnection.Message);
        Assert.Contains("its outage tolerance is 2 s", onTheOldConnection.Message);
        Assert.Contains("whether this write was stored is not known", onTheOldConnection.Message);
        Assert.Contains("this write was not stored", onNone.Message);
        await store.SaveRunAsync(NewRun("run-2"), [Submitted("run-2")]);
        Assert.Null(await store.GetRunAsync("run-lost"));
        Assert.Null(await store.GetRunAsync("run-refused"));
        Assert.Single(await store.GetHistoryAsync("run-2"));
    }

    private static RunEvent Submitted(string runId) => new(runId, T0, RunStatus.Pending, 0, null, "submitted");

    [Fact]
    public async Task TextPostgresCannotHold_IsStoredWithReplacementCharacters()
    {
        // U+0000 and a lone surrogate half; the emoji is a valid surrogate pair and must survive.
        var line = new RunLogLine("run-1", 1, T0, LogLevel.Information, "a\0b\uD800c 😀", 1);

        await Store.AppendLogsAsync([line]);

        Assert.Equal("a\uFFFDb\uFFFDc 😀", Assert.Single(await Store.GetLogsAsync("run-1")).Message);
    }

    [Fact]
    public async Task TextPostgresCannotHold_InARunSavedAloneOrInABatch_IsStoredWithReplacementCharacters()
    {
        // A lone save is bound as plain values, a batch as arrays: each form replaces what PostgreSQL refuses.
        var runs = Enumerable.Range(0, 20).Select(i => NewRun($"run-{i:D2}") with { InputJson = "\"a\0b\uD800c 😀\"", WaitReason = "x\0" }).ToArray();

        await Store.SaveRunAsync(runs[0], []);
        await Task.WhenAll(runs.Skip(1).Select(run => Store.SaveRunAsync(run, [])));

        foreach (var run in runs)
        {
            var stored = await Store.GetRunAsync(run.RunId);
            Assert.Equal("\"a\uFFFDb\uFFFDc 😀\"", stored!.InputJson);
            Assert.Equal("x\uFFFD", stored.WaitReason);
        }
    }

    [Fact]
    public async Task UseBeforeInitialize_ThrowsSayingSo()
    {
        var store = Track(new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = ConnectionString }));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetRunAsync("run-1"));

        Assert.Contains("InitializeAsync", error.Message);
    }

    [Fact]
    public void EmptyConnectionString_IsRejectedNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresRunStore(new PostgresRunStoreOptions()));

        Assert.Contains("Routines:Cluster:ConnectionString", error.Message);
    }

    private async Task<PostgresRunStore> OpenAsync(string connectionString, bool migrateOnStart = true)
    {
        var store = Track(new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = connectionString, MigrateOnStart = migrateOnStart }));
        await store.InitializeAsync();
        return store;
    }

    private PostgresRunStore Track(PostgresRunStore store)
    {
        _stores.Add(store);
        return store;
    }

    private static async Task<List<string>> AppliedMigrationsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT name FROM routines_migrations ORDER BY name COLLATE \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }
}
