using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Routines.Client;
using Routines.Silo.Storage;
using Routines.Silo.Storage.Sqlite;

namespace Routines.Silo.Tests.Storage;

/// <summary>The run store contract on a real SQLite file, plus what only a file-based store has to get right.</summary>
public sealed class SqliteRunStoreTests : RunStoreContractTests
{
    private static readonly TimeSpan ShortBusyTimeout = TimeSpan.FromMilliseconds(200);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "routines-tests", Guid.NewGuid().ToString("N"));
    private readonly List<SqliteRunStore> _stores = [];

    private string DefaultPath => Path.Combine(_directory, "routines.db");

    private protected override async Task<IRunStore> CreateStoreAsync() => await OpenAsync(DefaultPath);

    private protected override async Task<IRunStore> ReopenAsync()
    {
        await ((SqliteRunStore)Store).DisposeAsync();
        return await OpenAsync(DefaultPath);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _stores) await store.DisposeAsync();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task NewStore_CreatesMissingDirectories_AndRecordsSchemaVersion5InWalMode()
    {
        var path = Path.Combine(_directory, "a", "b", "runs.db");

        await OpenAsync(path);

        Assert.True(File.Exists(path));
        await using var connection = await OpenRawAsync(path);
        Assert.Equal(5L, await ScalarAsync(connection, "SELECT MAX(version) FROM schema_version;"));
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
    }

    [Fact]
    public async Task CorruptFile_InitializeFails_NamingThePathAndTheFix_AndLeavesTheFileUntouched()
    {
        var path = Path.Combine(_directory, "corrupt.db");
        var garbage = new byte[4096];
        new Random(42).NextBytes(garbage);
        Directory.CreateDirectory(_directory);
        await File.WriteAllBytesAsync(path, garbage);

        var error = await Assert.ThrowsAsync<RunStoreException>(() => OpenAsync(path));

        Assert.Contains($"'{Path.GetFullPath(path)}'", error.Message);
        Assert.Contains("not a readable SQLite database", error.Message);
        Assert.Contains("Move the file away or delete it", error.Message);
        Assert.Contains("--store", error.Message);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task FileLockedByAnotherProcess_InitializeFails_SayingItIsLocked()
    {
        var path = Path.Combine(_directory, "locked.db");
        Directory.CreateDirectory(_directory);
        await using var other = await OpenRawAsync(path);
        await ExecuteAsync(other, "BEGIN EXCLUSIVE;");

        var error = await Assert.ThrowsAsync<RunStoreException>(() => OpenAsync(path, ShortBusyTimeout));

        Assert.Contains($"'{Path.GetFullPath(path)}'", error.Message);
        Assert.Contains("locked by another process", error.Message);
        Assert.Contains("Stop the other process", error.Message);

        // Once the other process lets go, the same file opens: the error was the lock, nothing else.
        await ExecuteAsync(other, "ROLLBACK;");
        var store = await OpenAsync(path, ShortBusyTimeout);
        await store.SaveRunAsync(NewRootRun("run-1"), []);
        Assert.NotNull(await store.GetRunAsync("run-1"));
    }

    [Fact]
    public async Task FileLockedWhileRunning_WriteFailsSayingItIsLocked_AndLaterWritesSucceed()
    {
        var path = Path.Combine(_directory, "shared.db");
        var store = await OpenAsync(path, ShortBusyTimeout);
        await store.SaveRunAsync(NewRootRun("run-1"), []);
        await using var other = await OpenRawAsync(path);
        await ExecuteAsync(other, "BEGIN EXCLUSIVE;");

        var error = await Assert.ThrowsAsync<RunStoreException>(() => store.SaveRunAsync(NewRootRun("run-2"), []));
        Assert.Contains("locked by another process", error.Message);

        await ExecuteAsync(other, "ROLLBACK;");
        await store.SaveRunAsync(NewRootRun("run-3"), []);
        Assert.NotNull(await store.GetRunAsync("run-1"));
        Assert.Null(await store.GetRunAsync("run-2"));
        Assert.NotNull(await store.GetRunAsync("run-3"));
    }

    [Fact]
    public async Task DirectoryThatCannotBeCreated_InitializeFails_NamingTheDirectory()
    {
        // A file where a directory should be makes the directory impossible to create, whoever runs the test.
        var blocker = Path.Combine(_directory, "blocker");
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(blocker, "not a directory");
        var path = Path.Combine(blocker, "sub", "runs.db");

        var error = await Assert.ThrowsAsync<RunStoreException>(() => OpenAsync(path));

        Assert.Contains($"'{Path.Combine(blocker, "sub")}'", error.Message);
        Assert.Contains("cannot be created", error.Message);
    }

    [Fact]
    public async Task PathIsADirectory_InitializeFails_SayingItCannotBeOpened()
    {
        var path = Path.Combine(_directory, "a-directory");
        Directory.CreateDirectory(path);

        var error = await Assert.ThrowsAsync<RunStoreException>(() => OpenAsync(path));

        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains("cannot be opened", error.Message);
    }

    /// <summary>A file written before policies, traces and causes were stored: it opens, gains the columns, and its runs read back without them.</summary>
    [Fact]
    public async Task AVersion1Store_IsMigrated_AndItsRunsReadBackWithoutAPolicyTraceOrCause()
    {
        var path = Path.Combine(_directory, "v1.db");
        await (await OpenAsync(path)).DisposeAsync();
        await using (var connection = await OpenRawAsync(path))
        {
            await ExecuteAsync(connection, "ALTER TABLE runs DROP COLUMN policy_json; ALTER TABLE runs DROP COLUMN trace_parent; ALTER TABLE runs DROP COLUMN cause_json; DROP TABLE removed_runs; DELETE FROM schema_version WHERE version >= 2; PRAGMA user_version = 1;");
            await ExecuteAsync(connection, """
                INSERT INTO runs (run_id, routine_id, routine_name, routine_version, kind, status, attempt, max_attempts, input_json,
                                  root_run_id, parent_attempt, created_at)
                VALUES ('old-run', 'tname:train_model:1.0.0', 'train_model', '1.0.0', 'Task', 'Succeeded', 1, 3, '{}', 'old-run', 0, 0);
                """);
        }

        var store = await OpenAsync(path);

        var old = await store.GetRunAsync("old-run");
        Assert.Equal(RunStatus.Succeeded, old!.Status);
        Assert.Null(old.Policy);
        Assert.Null(old.TraceParent);
        Assert.Null(old.Cause);
        await store.CheckAsync(); // the readiness check finds this build's schema
        await using var check = await OpenRawAsync(path);
        Assert.Equal(5L, await ScalarAsync(check, "SELECT MAX(version) FROM schema_version;"));
    }

    [Fact]
    public async Task SchemaFromANewerVersion_InitializeFails_AskingForAnUpgrade()
    {
        var path = Path.Combine(_directory, "newer.db");
        await (await OpenAsync(path)).DisposeAsync();
        await using (var connection = await OpenRawAsync(path))
        {
            await ExecuteAsync(connection, "INSERT INTO schema_version (version, applied_at) VALUES (6, 0);");
        }

        var error = await Assert.ThrowsAsync<RunStoreException>(() => OpenAsync(path));

        Assert.Contains("schema version 6", error.Message);
        Assert.Contains("Upgrade Routines", error.Message);
    }

    [Fact]
    public async Task UseBeforeInitialize_ThrowsSayingSo()
    {
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = Path.Combine(_directory, "new.db") });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetRunAsync("run-1"));

        Assert.Contains("InitializeAsync", error.Message);
    }

    private async Task<SqliteRunStore> OpenAsync(string path, TimeSpan? busyTimeout = null)
    {
        var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path, BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(5) });
        _stores.Add(store);
        await store.InitializeAsync();
        return store;
    }

    /// <summary>A plain connection standing for another process; unpooled so closing it releases the file.</summary>
    private static async Task<SqliteConnection> OpenRawAsync(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static RunInfo NewRootRun(string id) => new()
    {
        RunId = id,
        RoutineId = "tname:train_model:1.2.0",
        RoutineName = "train_model",
        RoutineVersion = "1.2.0",
        Kind = RoutineKind.Task,
        InputJson = "{}",
        RootRunId = id,
        CreatedAt = T0,
    };
}
