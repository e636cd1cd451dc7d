using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Routines.Client;

using static Routines.Silo.Storage.StoredRows;

using Routines.Silo.Hosting;

namespace Routines.Silo.Storage.Sqlite;

/// <summary>
/// The embedded run store: one SQLite file in WAL mode. Every write is queued to a single writer that commits up to
/// <see cref="MaxBatchSize"/> queued writes in one transaction (group commit), so concurrent callers share a commit
/// instead of each paying for one. Reads open their own pooled connections and see what has been committed.
/// </summary>
internal sealed partial class SqliteRunStore : IRunStore, IAsyncDisposable
{
    private const int MaxBatchSize = 1000;
    private const string OtherFileHint = "point Routines at another file with --store / Routines:Store:Path";

    // SQLite primary result codes (https://www.sqlite.org/rescode.html).
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    /// <summary>Schema migrations; entry <c>i</c> brings the schema to version <c>i + 1</c>. Append, never edit.</summary>
    private static readonly string[] Migrations = [SchemaV1, PolicyV2, TraceV3, RemovedV4, CauseV5];

    /// <summary>A run's effective policy, fixed at submit (null for runs recorded before).</summary>
    private const string PolicyV2 = "ALTER TABLE runs ADD COLUMN policy_json TEXT;";

    /// <summary>The W3C traceparent of a run's span (null for runs recorded before, or never traced).</summary>
    private const string TraceV3 = "ALTER TABLE runs ADD COLUMN trace_parent TEXT;";

    /// <summary>Runs removed by retention, remembered to say so when one is asked for.</summary>
    private const string RemovedV4 = """
        CREATE TABLE removed_runs (run_id TEXT PRIMARY KEY, removed_at INTEGER NOT NULL);
        CREATE INDEX ix_removed_runs_removed_at ON removed_runs (removed_at);
        """;

    /// <summary>What started a triggered run (null for runs a caller started, and for runs recorded before).</summary>
    private const string CauseV5 = "ALTER TABLE runs ADD COLUMN cause_json TEXT;";

    private readonly SqliteRunStoreOptions _options;
    private readonly string _path;
    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;
    private WriteCommands? _writer;
    private Batcher<PendingWrite>? _writes;
    private bool _disposed;

    public SqliteRunStore(SqliteRunStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new ArgumentException("The run store path is empty. Set Routines:Store:Path (or --store) to a file path.", nameof(options));
        }
        if (options.BusyTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BusyTimeout, "The run store busy timeout must not be negative.");
        }

        _options = options;
        _path = Path.GetFullPath(options.Path);
        _writerConnectionString = ConnectionString(SqliteOpenMode.ReadWriteCreate, pooling: false);
        // Readers must not create a file the writer did not (a deleted store should fail loudly, not look empty).
        _readerConnectionString = ConnectionString(SqliteOpenMode.ReadWrite, pooling: true);
    }

    /// <summary>The full path of the database file.</summary>
    public string FilePath => _path;

    public string Location => $"SQLite file {_path}";

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writes is not null) return;

        CreateDirectory();
        var connection = new SqliteConnection(_writerConnectionString);
        WriteCommands writer;
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"PRAGMA busy_timeout = {(long)_options.BusyTimeout.TotalMilliseconds};", cancellationToken).ConfigureAwait(false);
            // Read before any write so a file that is not a database is reported, and left untouched.
            var version = await ReadSchemaVersionAsync(connection, cancellationToken).ConfigureAwait(false);
            await CheckIntegrityAsync(connection, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, "PRAGMA synchronous = NORMAL;", cancellationToken).ConfigureAwait(false);
            await MigrateAsync(connection, version, cancellationToken).ConfigureAwait(false);
            writer = new WriteCommands(connection);
        }
        catch (Exception e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            if (e is SqliteException sqlite) throw Translate(sqlite);
            throw;
        }

        _writer = writer;
        // A commit blocks its thread: the loop runs on the thread pool, never on the grain that wrote.
        _writes = new Batcher<PendingWrite>(Telemetry.RoutinesMetrics.TimedCommit<PendingWrite>("sqlite", batch => Commit(writer, batch)), new BatchLimits(MaxBatchSize, OffCallerThread: true));
        AppDomain.CurrentDomain.ProcessExit += CommitQueuedOnExit;
    }

    /// <summary>
    /// A routine that ends its own process (<c>Environment.Exit</c>) in a local run would otherwise take the writes
    /// still queued with it — its run's first record among them, which goes out beside the start to save a commit:
    /// they are committed before the process ends (for a few seconds at most). A kill -9 gives no such chance.
    /// </summary>
    private void CommitQueuedOnExit(object? sender, EventArgs e) => _writes?.CloseAsync().Wait(TimeSpan.FromSeconds(5));

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;

        AppDomain.CurrentDomain.ProcessExit -= CommitQueuedOnExit;
        // Writes already queued are still committed: closing only stops new ones.
        if (_writes is not null) await _writes.CloseAsync().ConfigureAwait(false);
        _writer?.Dispose();
        // Pooled readers would otherwise keep the file open after the store is gone.
        using var reader = new SqliteConnection(_readerConnectionString);
        SqliteConnection.ClearPool(reader);
    }

    // ---------------------------------------------------------------- writes

    public Task SaveRunAsync(RunInfo run, IReadOnlyList<RunEvent> transitions, CacheEntry? cacheEntry = null, RunStatus? stored = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(transitions);
        return EnqueueAsync(writer =>
        {
            if (cacheEntry is not null) writer.PutCached(cacheEntry);
            writer.SaveRun(run);
            foreach (var transition in transitions) writer.AppendEvent(transition);
        }, cancellationToken);
    }

    public Task AppendLogsAsync(IReadOnlyList<RunLogLine> lines, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0) return Task.CompletedTask;
        return EnqueueAsync(writer =>
        {
            foreach (var line in lines) writer.AppendLog(line);
        }, cancellationToken);
    }

    public Task AppendMetricsAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) return Task.CompletedTask;
        return EnqueueAsync(writer =>
        {
            foreach (var point in points) writer.AppendMetric(point);
        }, cancellationToken);
    }

    private Task EnqueueAsync(Action<WriteCommands> apply, CancellationToken cancellationToken)
    {
        // The token is honoured only until the write is queued: after that it is committed with its batch, because
        // a caller told "cancelled" must be able to trust that nothing was written.
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        EnsureInitialized();

        var write = new PendingWrite(apply);
        if (!_writes!.TryAdd(write)) throw new ObjectDisposedException(nameof(SqliteRunStore));
        return write.Completion.Task;
    }

    /// <summary>Commits a batch in one transaction and completes each write with the outcome; never throws.</summary>
    private Task Commit(WriteCommands writer, IReadOnlyList<PendingWrite> batch)
    {
        var failure = TryCommit(writer, batch);
        foreach (var write in batch)
        {
            if (failure is null) write.Completion.TrySetResult();
            else write.Completion.TrySetException(failure);
        }

        return Task.CompletedTask;
    }

    /// <summary>Commits the batch in one transaction; returns the error that failed it, or null.</summary>
    private Exception? TryCommit(WriteCommands writer, IReadOnlyList<PendingWrite> batch)
    {
        try
        {
            writer.Commit(batch);
            return null;
        }
        catch (SqliteException e)
        {
            return Translate(e);
        }
        catch (Exception e)
        {
            // Never let one bad write end the loop: every later write would hang.
            return e;
        }
    }

    // ---------------------------------------------------------------- reads

    public Task<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync(async (connection, ct) =>
        {
            using var command = Command(connection, $"SELECT {RunColumnList} FROM runs WHERE run_id = $id;", ("$id", runId));
            var runs = await ReadRunsAsync(command, ct).ConfigureAwait(false);
            return runs.Count == 0 ? null : runs[0];
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RunInfo>> ListUnfinishedRunsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync((connection, ct) =>
        {
            using var command = Command(connection,
                $"SELECT {RunColumnList} FROM runs WHERE status IN ($pending, $running) ORDER BY created_at, run_id;",
                ("$pending", nameof(RunStatus.Pending)), ("$running", nameof(RunStatus.Running)));
            return ReadRunsAsync(command, ct);
        }, cancellationToken);

    public Task<DateTimeOffset?> OldestUnfinishedCreatedAtAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(async (connection, ct) =>
        {
            using var command = Command(connection, "SELECT min(created_at) FROM runs WHERE status IN ($pending, $running);",
                ("$pending", nameof(RunStatus.Pending)), ("$running", nameof(RunStatus.Running)));
            var oldest = await ReadAllAsync(command, r => r.IsDBNull(0) ? (DateTimeOffset?)null : FromUnixMs(r.GetInt64(0)), ct).ConfigureAwait(false);
            return oldest[0];
        }, cancellationToken);

    public Task<IReadOnlyList<RunInfo>> ListChildrenAsync(string parentRunId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parentRunId);
        return ReadAsync((connection, ct) =>
        {
            using var command = Command(connection,
                $"SELECT {RunColumnList} FROM runs WHERE parent_run_id = $parent ORDER BY created_at, run_id;",
                ("$parent", parentRunId));
            return ReadRunsAsync(command, ct);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListUnfinishedChildrenAsync(string parentRunId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parentRunId);
        return ReadAsync((connection, ct) =>
        {
            using var command = Command(connection,
                "SELECT run_id FROM runs WHERE parent_run_id = $parent AND status IN ($pending, $running);",
                ("$parent", parentRunId), ("$pending", nameof(RunStatus.Pending)), ("$running", nameof(RunStatus.Running)));
            return ReadAllAsync(command, r => r.GetString(0), ct);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RunLogLine>> GetLogsAsync(
        string runId, long afterSequence = 0, int limit = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return ReadAsync(async (connection, ct) =>
        {
            using var command = Command(connection,
                "SELECT run_id, seq, ts, level, message, attempt FROM run_logs WHERE run_id = $id AND seq > $after ORDER BY seq LIMIT $limit;",
                ("$id", runId), ("$after", afterSequence), ("$limit", limit));
            return await ReadAllAsync(command, r => new RunLogLine(
                r.GetString(0), r.GetInt64(1), FromUnixMs(r.GetInt64(2)), (LogLevel)r.GetInt32(3), r.GetString(4), r.GetInt32(5)), ct)
                .ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync(async (connection, ct) =>
        {
            using var command = Command(connection,
                "SELECT run_id, name, step, value, ts FROM run_metrics WHERE run_id = $id ORDER BY id;", ("$id", runId));
            // SQLite stores NaN as NULL, so NULL reads back as the NaN that was written.
            return await ReadAllAsync(command, r => new MetricPoint(
                r.GetString(0), r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? double.NaN : r.GetDouble(3), FromUnixMs(r.GetInt64(4))), ct)
                .ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RunEvent>> GetHistoryAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync(async (connection, ct) =>
        {
            using var command = Command(connection,
                "SELECT run_id, ts, status, attempt, worker, reason FROM run_events WHERE run_id = $id ORDER BY id;", ("$id", runId));
            return await ReadAllAsync(command, r => new RunEvent(
                r.GetString(0), FromUnixMs(r.GetInt64(1)), Enum.Parse<RunStatus>(r.GetString(2)), r.GetInt32(3),
                NullableString(r, 4), NullableString(r, 5)), ct)
                .ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<CacheEntry?> GetCachedAsync(string cacheKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cacheKey);
        return ReadAsync(async (connection, ct) =>
        {
            using var command = Command(connection,
                "SELECT key, routine_id, output_json, run_id, created_at FROM task_cache WHERE key = $key;", ("$key", cacheKey));
            var entries = await ReadAllAsync(command, r => new CacheEntry(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), FromUnixMs(r.GetInt64(4))), ct)
                .ConfigureAwait(false);
            return entries.Count == 0 ? null : entries[0];
        }, cancellationToken);
    }

    public Task<RunPage> ListRunsAsync(RunFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegative(filter.Skip);
        ArgumentOutOfRangeException.ThrowIfNegative(filter.Take);
        return ReadAsync(async (connection, ct) =>
        {
            var (where, parameters) = Where(filter);
            // One read transaction, so the page and its total come from the same snapshot.
            using var transaction = connection.BeginTransaction(deferred: true);

            // A filter the Postgres store keeps counts for is counted exactly here too; any other stops at the limit.
            using var count = Command(connection, filter.HasKeptCount
                ? $"SELECT COUNT(*) FROM runs{where};"
                : $"SELECT COUNT(*) FROM (SELECT 1 FROM runs{where} LIMIT {RunPage.CountLimit + 1});", parameters);
            count.Transaction = transaction;
            var total = Convert.ToInt32(await count.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
            var lowerBound = total > RunPage.CountLimit && !filter.HasKeptCount;
            if (lowerBound) total = RunPage.CountLimit;
            if ((!lowerBound && total <= filter.Skip) || filter.Take == 0) return new RunPage([], total, lowerBound);

            using var page = Command(connection,
                $"SELECT {RunColumnList} FROM runs{where} ORDER BY created_at DESC, run_id DESC LIMIT $take OFFSET $skip;",
                [.. parameters, ("$take", filter.Take), ("$skip", filter.Skip)]);
            page.Transaction = transaction;
            return new RunPage(await ReadRunsAsync(page, ct).ConfigureAwait(false), total, lowerBound);
        }, cancellationToken);
    }

    /// <summary>The WHERE clause (with a leading space, or empty) and its parameters for a run filter.</summary>
    private static (string Sql, (string Name, object? Value)[] Parameters) Where(RunFilter filter)
    {
        var conditions = new List<string>();
        var parameters = new List<(string, object?)>();
        void Add(string condition, string name, object value)
        {
            conditions.Add(condition);
            parameters.Add((name, value));
        }

        if (filter.Status is { } status) Add("status = $status", "$status", status.ToString());
        if (!string.IsNullOrEmpty(filter.RoutineName)) Add("routine_name = $routine_name", "$routine_name", filter.RoutineName);
        if (!string.IsNullOrEmpty(filter.RootRunId)) Add("root_run_id = $root", "$root", filter.RootRunId);
        if (filter.RootsOnly) conditions.Add("parent_run_id IS NULL");
        if (filter.CreatedAfter is { } after) Add("created_at >= $after", "$after", UnixMs(after));
        if (filter.CreatedBefore is { } before) Add("created_at < $before", "$before", UnixMs(before));
        if (!string.IsNullOrEmpty(filter.Search))
        {
            // The start of a run id or a part of a routine name, as in the Postgres store; LIKE is case-insensitive for
            // ASCII in SQLite, and escaping makes % and _ in the search literal.
            conditions.Add(@"(run_id LIKE $prefix ESCAPE '\' OR routine_name LIKE $part ESCAPE '\')");
            parameters.Add(("$prefix", EscapeLike(filter.Search) + "%"));
            parameters.Add(("$part", $"%{EscapeLike(filter.Search)}%"));
        }

        var sql = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        return (sql, parameters.ToArray());
    }

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal);

    /// <summary>Runs a read on a pooled connection of its own, translating SQLite errors.</summary>
    public Task CheckAsync(CancellationToken cancellationToken = default) => ReadAsync(async (connection, token) =>
    {
        using var version = Command(connection, "PRAGMA user_version;");
        var schema = Convert.ToInt32(await version.ExecuteScalarAsync(token).ConfigureAwait(false));
        if (schema != Migrations.Length)
            throw new RunStoreException($"The run store {_path} has schema version {schema}; this build writes version {Migrations.Length}.");
        return schema;
    }, cancellationToken);

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        EnsureInitialized();
        try
        {
            await using var connection = new SqliteConnection(_readerConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await read(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw Translate(e);
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static Task<IReadOnlyList<RunInfo>> ReadRunsAsync(SqliteCommand command, CancellationToken cancellationToken) =>
        ReadAllAsync(command, ReadRun, cancellationToken);

    // ---------------------------------------------------------------- run rows

    /// <summary>The columns of <c>runs</c>; <see cref="RunValues"/> and <see cref="ReadRun"/> use this order.</summary>
    private static readonly string[] RunColumns =
    [
        "run_id", "routine_id", "routine_name", "routine_version", "kind", "status", "attempt", "max_attempts",
        "input_json", "output_json", "error_json", "parent_run_id", "root_run_id", "parent_attempt",
        "created_at", "started_at", "finished_at", "worker", "cached_from_run_id", "wait_reason",
        "progress_current", "progress_total", "progress_message", "progress_updated_at", "options_json", "policy_json",
        "trace_parent", "cause_json",
    ];

    private static readonly string RunColumnList = string.Join(", ", RunColumns);

    private static object?[] RunValues(RunInfo run) =>
    [
        run.RunId, run.RoutineId, run.RoutineName, run.RoutineVersion, Name(run.Kind), Name(run.Status), run.Attempt, run.MaxAttempts,
        run.InputJson, run.OutputJson, ToJson(run.Error), run.ParentRunId, run.RootRunId, run.ParentAttempt,
        UnixMs(run.CreatedAt), UnixMs(run.StartedAt), UnixMs(run.FinishedAt), run.Worker, run.CachedFromRunId, run.WaitReason,
        run.Progress?.Current, run.Progress?.Total, run.Progress?.Message, UnixMs(run.Progress?.UpdatedAt), ToJson(run.Options),
        ToJson(run.Policy), run.TraceParent, ToJson(run.Cause),
    ];

    private static RunInfo ReadRun(DbDataReader r) => StoredRows.ReadRun(r, (reader, ordinal) => FromUnixMs(reader.GetInt64(ordinal)));

    // Times are INTEGER Unix milliseconds (UTC): they sort and compare as numbers in indexes and range filters.
    private static long UnixMs(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static long? UnixMs(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    // ---------------------------------------------------------------- opening and schema

    private string ConnectionString(SqliteOpenMode mode, bool pooling) => new SqliteConnectionStringBuilder
    {
        DataSource = _path,
        Mode = mode,
        Pooling = pooling,
        // Microsoft.Data.Sqlite retries busy statements itself for this many seconds (0 would mean forever).
        DefaultTimeout = (int)Math.Max(1, Math.Ceiling(_options.BusyTimeout.TotalSeconds)),
    }.ToString();

    private void CreateDirectory()
    {
        var directory = Path.GetDirectoryName(_path);
        if (string.IsNullOrEmpty(directory)) return;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunStoreException(
                $"The directory '{directory}' for the run store cannot be created ({e.Message}). " +
                $"Create it and let this user write to it, or {OtherFileHint}.", e);
        }
    }

    /// <summary>The schema version of the file: 0 for a new (or empty) database.</summary>
    private static async Task<int> ReadSchemaVersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var exists = Command(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';");
        if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0) return 0;

        using var version = Command(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_version;");
        return Convert.ToInt32(await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Reads every page once, so a file damaged in the middle is refused before anything runs: SQLite reads only the
    /// pages a query needs, and a run would otherwise execute and fail only when its record is written.
    /// </summary>
    private async Task CheckIntegrityAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var check = Command(connection, "PRAGMA quick_check(1);");
        var verdict = Convert.ToString(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (verdict == "ok") return;
        throw new RunStoreException(
            $"The run store at '{_path}' is corrupt (SQLite's check says: {verdict}). Move the file away or delete it " +
            $"to start a new store, or {OtherFileHint}.");
    }

    /// <summary>Applies the missing migrations in one write transaction, which also proves the file is writable and unlocked.</summary>
    private async Task MigrateAsync(SqliteConnection connection, int version, CancellationToken cancellationToken)
    {
        if (version > Migrations.Length)
        {
            throw new RunStoreException(
                $"The run store at '{_path}' has schema version {version}, written by a newer Routines; this build knows " +
                $"version {Migrations.Length}. Upgrade Routines, or {OtherFileHint}.");
        }

        using var transaction = connection.BeginTransaction();
        for (var next = version + 1; next <= Migrations.Length; next++)
        {
            using var migrate = Command(connection, Migrations[next - 1]);
            migrate.Transaction = transaction;
            await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

            using var record = Command(connection, "INSERT INTO schema_version (version, applied_at) VALUES ($version, $now);",
                ("$version", next), ("$now", UnixMs(DateTimeOffset.UtcNow)));
            record.Transaction = transaction;
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // A real write even when the schema is current, so a read-only file fails here and not at the first run.
        using var touch = Command(connection, $"PRAGMA user_version = {Migrations.Length};");
        touch.Transaction = transaction;
        await touch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        transaction.Commit();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = Command(connection, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private void EnsureInitialized()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writes is null)
        {
            throw new InvalidOperationException($"The run store at '{_path}' is not initialized: call {nameof(InitializeAsync)} first.");
        }
    }

    /// <summary>Turns a SQLite error into a message that says what is wrong with the store and what to do.</summary>
    private RunStoreException Translate(SqliteException e)
    {
        var detail = e.Message.TrimEnd('.');
        var message = (e.SqliteErrorCode & 0xFF) switch
        {
            SqliteCorrupt or SqliteNotADatabase =>
                $"The run store at '{_path}' is not a readable SQLite database ({detail}). Move the file away or delete it " +
                $"to start a new store, or {OtherFileHint}.",
            SqliteBusy or SqliteLocked =>
                $"The run store at '{_path}' is locked by another process, and stayed locked for longer than the busy timeout " +
                $"({_options.BusyTimeout.TotalSeconds:0.###} s). Stop the other process that uses this file (another Routines " +
                $"service?), or {OtherFileHint}.",
            SqliteReadOnly =>
                $"The run store at '{_path}' is read-only ({detail}). Let this user write the file, its directory and its " +
                $"-wal and -shm files, or {OtherFileHint}.",
            SqliteCantOpen =>
                $"The run store at '{_path}' cannot be opened ({detail}). Check that the path is a file (not a directory) " +
                $"that this user may create and write, or {OtherFileHint}.",
            SqliteFull =>
                $"The disk that holds the run store at '{_path}' is full ({detail}). Free some space, or {OtherFileHint}.",
            _ => $"The run store at '{_path}' failed: {detail}. If this persists, {OtherFileHint}.",
        };
        return new RunStoreException(message, e);
    }

    private const string SchemaV1 = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    INTEGER PRIMARY KEY,
            applied_at INTEGER NOT NULL
        );

        CREATE TABLE IF NOT EXISTS runs (
            run_id              TEXT PRIMARY KEY,
            routine_id          TEXT NOT NULL,
            routine_name        TEXT NOT NULL,
            routine_version     TEXT NOT NULL,
            kind                TEXT NOT NULL,
            status              TEXT NOT NULL,
            attempt             INTEGER NOT NULL,
            max_attempts        INTEGER NOT NULL,
            input_json          TEXT NOT NULL,
            output_json         TEXT,
            error_json          TEXT,
            parent_run_id       TEXT,
            root_run_id         TEXT NOT NULL,
            parent_attempt      INTEGER NOT NULL,
            created_at          INTEGER NOT NULL,
            started_at          INTEGER,
            finished_at         INTEGER,
            worker              TEXT,
            cached_from_run_id  TEXT,
            wait_reason         TEXT,
            progress_current    INTEGER,
            progress_total      INTEGER,
            progress_message    TEXT,
            progress_updated_at INTEGER,
            options_json        TEXT
        );
        -- Each index ends in (created_at, run_id) so a filtered list is read in order, without a sort.
        CREATE INDEX IF NOT EXISTS ix_runs_created_at   ON runs (created_at, run_id);
        CREATE INDEX IF NOT EXISTS ix_runs_status       ON runs (status, created_at, run_id);
        CREATE INDEX IF NOT EXISTS ix_runs_routine_name ON runs (routine_name, created_at, run_id);
        CREATE INDEX IF NOT EXISTS ix_runs_parent       ON runs (parent_run_id, created_at, run_id);
        CREATE INDEX IF NOT EXISTS ix_runs_root         ON runs (root_run_id, created_at, run_id);

        CREATE TABLE IF NOT EXISTS run_events (
            id      INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id  TEXT NOT NULL,
            ts      INTEGER NOT NULL,
            status  TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            worker  TEXT,
            reason  TEXT
        );
        CREATE INDEX IF NOT EXISTS ix_run_events_run ON run_events (run_id, id);

        CREATE TABLE IF NOT EXISTS run_logs (
            run_id  TEXT NOT NULL,
            seq     INTEGER NOT NULL,
            ts      INTEGER NOT NULL,
            level   INTEGER NOT NULL,
            message TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            PRIMARY KEY (run_id, seq)
        );

        CREATE TABLE IF NOT EXISTS run_metrics (
            id     INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL,
            name   TEXT NOT NULL,
            step   INTEGER NOT NULL,
            value  REAL, -- NULL is NaN: SQLite cannot store NaN
            ts     INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_run_metrics_run ON run_metrics (run_id, id);

        CREATE TABLE IF NOT EXISTS task_cache (
            key         TEXT PRIMARY KEY,
            routine_id  TEXT NOT NULL,
            output_json TEXT NOT NULL,
            run_id      TEXT NOT NULL,
            created_at  INTEGER NOT NULL
        );
        """;

    // ---------------------------------------------------------------- the writer

    /// <summary>A queued write and the task its caller awaits.</summary>
    private sealed class PendingWrite(Action<WriteCommands> apply)
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Apply(WriteCommands writer) => apply(writer);
    }

    /// <summary>
    /// The writer's own connection and its statements, prepared once and re-bound for every write: preparing SQL
    /// per write would cost more than executing it.
    /// </summary>
    private sealed class WriteCommands : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _saveRun;
        private readonly SqliteCommand _appendEvent;
        private readonly SqliteCommand _appendLog;
        private readonly SqliteCommand _appendMetric;
        private readonly SqliteCommand _putCached;
        private readonly SqliteCommand[] _all;

        public WriteCommands(SqliteConnection connection)
        {
            _connection = connection;
            _saveRun = Prepare(Upsert("runs", "run_id", RunColumns), RunColumns);
            _appendEvent = Prepare("INSERT INTO", "run_events", ["run_id", "ts", "status", "attempt", "worker", "reason"]);
            // A log line sent twice (a retried call) is kept once: sequence numbers identify lines.
            _appendLog = Prepare("INSERT OR IGNORE INTO", "run_logs", ["run_id", "seq", "ts", "level", "message", "attempt"]);
            _appendMetric = Prepare("INSERT INTO", "run_metrics", ["run_id", "name", "step", "value", "ts"]);
            string[] cacheColumns = ["key", "routine_id", "output_json", "run_id", "created_at"];
            _putCached = Prepare(Upsert("task_cache", "key", cacheColumns), cacheColumns);
            _all = [_saveRun, _appendEvent, _appendLog, _appendMetric, _putCached];
        }

        /// <summary>Applies every write of the batch in one transaction; a failure rolls all of them back.</summary>
        public void Commit(IReadOnlyList<PendingWrite> batch)
        {
            using var transaction = _connection.BeginTransaction();
            foreach (var command in _all) command.Transaction = transaction;
            _transaction = transaction;
            foreach (var write in batch) write.Apply(this);
            transaction.Commit();
        }

        private SqliteTransaction? _transaction;

        /// <summary>Removes the runs and what they own, remembering when; in the batch's transaction, like every write.</summary>
        public void RemoveRuns(IReadOnlyList<string> runIds, long removedAt)
        {
            var ids = System.Text.Json.JsonSerializer.Serialize(runIds);
            foreach (var sql in new[]
            {
                "DELETE FROM run_events WHERE run_id IN (SELECT value FROM json_each($ids));",
                "DELETE FROM run_logs WHERE run_id IN (SELECT value FROM json_each($ids));",
                "DELETE FROM run_metrics WHERE run_id IN (SELECT value FROM json_each($ids));",
                "DELETE FROM runs WHERE run_id IN (SELECT value FROM json_each($ids));",
                "INSERT OR IGNORE INTO removed_runs (run_id, removed_at) SELECT value, $at FROM json_each($ids);",
            })
            {
                using var command = SqliteRunStore.Command(_connection, sql, ("$ids", ids), ("$at", removedAt));
                command.Transaction = _transaction;
                command.ExecuteNonQuery();
            }
        }

        public void ForgetRemoved(long before)
        {
            using var command = SqliteRunStore.Command(_connection, "DELETE FROM removed_runs WHERE removed_at < $before;", ("$before", before));
            command.Transaction = _transaction;
            command.ExecuteNonQuery();
        }

        public void SaveRun(RunInfo run) => Execute(_saveRun, RunValues(run));

        public void AppendEvent(RunEvent e) =>
            Execute(_appendEvent, e.RunId, UnixMs(e.Timestamp), Name(e.Status), e.Attempt, e.Worker, e.Reason);

        public void AppendLog(RunLogLine line) =>
            Execute(_appendLog, line.RunId, line.Sequence, UnixMs(line.Timestamp), (int)line.Level, line.Message, line.Attempt);

        public void AppendMetric(MetricPoint point) =>
            Execute(_appendMetric, point.RunId, point.Name, point.Step, double.IsNaN(point.Value) ? null : point.Value, UnixMs(point.Timestamp));

        public void PutCached(CacheEntry entry) =>
            Execute(_putCached, entry.Key, entry.RoutineId, entry.OutputJson, entry.RunId, UnixMs(entry.CreatedAt));

        public void Dispose()
        {
            foreach (var command in _all) command.Dispose();
            _connection.Dispose();
        }

        private static void Execute(SqliteCommand command, params ReadOnlySpan<object?> values)
        {
            for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
            command.ExecuteNonQuery();
        }

        private SqliteCommand Prepare(string verb, string table, string[] columns) =>
            Prepare($"{verb} {table} ({string.Join(", ", columns)}) VALUES ({Placeholders(columns)});", columns);

        private SqliteCommand Prepare(string sql, string[] columns)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var column in columns) command.Parameters.Add(new SqliteParameter("$" + column, DBNull.Value));
            command.Prepare();
            return command;
        }

        private static string Upsert(string table, string key, string[] columns)
        {
            var updates = new StringBuilder();
            foreach (var column in columns.Where(c => c != key))
            {
                if (updates.Length > 0) updates.Append(", ");
                updates.Append(CultureInfo.InvariantCulture, $"{column} = excluded.{column}");
            }
            return $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({Placeholders(columns)}) " +
                   $"ON CONFLICT ({key}) DO UPDATE SET {updates};";
        }

        private static string Placeholders(string[] columns) => string.Join(", ", columns.Select(c => "$" + c));
    }
}
