using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Routines.Client;

using static Routines.Silo.Storage.StoredRows;

namespace Routines.Silo.Storage.Postgres;

/// <summary>
/// The cluster's run store on PostgreSQL. Every write is queued to a single writer that commits up to
/// <see cref="MaxBatchSize"/> queued writes in one transaction (group commit), with one multi-row statement per table,
/// so concurrent callers share a round trip and a commit instead of each paying for their own. Reads take pooled
/// connections of their own and see what has been committed. The schema is <c>Migrations/0001_run_store.sql</c>.
/// </summary>
/// <remarks>
/// Semantics follow <see cref="Sqlite.SqliteRunStore"/>: times are kept to the millisecond, ids sort byte-wise, a log
/// line is identified by run id and sequence (the first write wins), the last save of a run or cache key wins.
/// </remarks>
internal sealed class PostgresRunStore : IRunStore, IAsyncDisposable
{
    private const int MaxBatchSize = 1000;

    /// <summary>Caps a batch's payload too (in UTF-16 characters), so a burst of large inputs makes several statements, not one huge one.</summary>
    private const long MaxBatchChars = 8_000_000;

    /// <summary>A batch that lost a deadlock or a serialization conflict was rolled back whole and is simply run again.</summary>
    private const int MaxAttemptsOnConflict = 3;

    /// <summary>The longest wait between two tries to reach a server that went away.</summary>
    private static readonly TimeSpan MaxRecoveryPause = TimeSpan.FromSeconds(2);

    private const string ConnectionStringKey = "Routines:Cluster:ConnectionString";
    private const string MigrateOnStartKey = "Routines:Cluster:MigrateOnStart";
    private const string MigrateHint = $"Run `migrate` against this database first, or set {MigrateOnStartKey}=true so the service migrates it on start.";

    private readonly PostgresRunStoreOptions _options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _writerSource;
    private readonly string _where;

    public string Location => $"PostgreSQL ({_where})";
    private readonly Channel<PendingWrite> _writes =
        Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });

    private readonly CancellationTokenSource _closing = new();
    // Which marker row is this store's, and the number of the batch being written (see RecoverAsync).
    private readonly Guid _writerId = Guid.NewGuid();
    private long _batchNumber;

    private Task? _writeLoop;
    private NpgsqlConnection? _writer; // the write loop's connection, kept from batch to batch
    private (int Pid, DateTime Started)? _writerBackend; // its server process
    private long? _outageStarted; // when the server went away, while it is away
    private bool _disposed;

    public PostgresRunStore(PostgresRunStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException(
                $"The PostgreSQL connection string is empty. Set {ConnectionStringKey} (Host=…;Port=…;Database=…;Username=…;Password=…).",
                nameof(options));
        }

        try
        {
            _where = PostgresMigrations.Describe(options.ConnectionString);
            // The store's connections never change their session's state, so a connection back from the pool needs no
            // reset: without this, Npgsql sends a reset of its own with every batch's statements (a fifth of the time
            // a batch of one takes).
            var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString) { NoResetOnClose = true };
            _dataSource = NpgsqlDataSource.Create(builder);
            // The writer's connection is its own, not pooled: one that broke is closed for good, never handed to a reader.
            builder.Pooling = false;
            _writerSource = NpgsqlDataSource.Create(builder);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The PostgreSQL connection string in {ConnectionStringKey} is not valid: {e.Message}", nameof(options), e);
        }
        _options = options;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writeLoop is not null) return;

        try
        {
            if (_options.MigrateOnStart)
            {
                await PostgresMigrations.ApplyAsync(_options.ConnectionString, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await CheckMigratedAsync(cancellationToken).ConfigureAwait(false);
            }
            await ProbeWriteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Translate(e, _options.MigrateOnStart ? "migrating and checking the schema" : "checking the schema");
        }

        _writeLoop = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;

        // Writes already queued are still committed: completing the channel only stops new ones. A server that is
        // away is not waited for.
        _writes.Writer.TryComplete();
        await _closing.CancelAsync().ConfigureAwait(false);
        if (_writeLoop is not null) await _writeLoop.ConfigureAwait(false);
        _closing.Dispose();
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await _writerSource.DisposeAsync().ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- writes

    public Task SaveRunAsync(RunInfo run, IReadOnlyList<RunEvent> transitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(transitions);
        // Sizes are estimates that only bound a batch; a null in a required field fails in the writer, as in SQLite.
        var size = 256L + (run.InputJson?.Length ?? 0) + (run.OutputJson?.Length ?? 0);
        foreach (var transition in transitions) size += 64 + (transition.Reason?.Length ?? 0);
        return EnqueueAsync(rows =>
        {
            rows.SaveRun(run);
            foreach (var transition in transitions) rows.AppendEvent(transition);
        }, size, cancellationToken);
    }

    public Task AppendLogsAsync(IReadOnlyList<RunLogLine> lines, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0) return Task.CompletedTask;
        var size = lines.Sum(line => 64L + (line.Message?.Length ?? 0));
        return EnqueueAsync(rows =>
        {
            foreach (var line in lines) rows.AppendLog(line);
        }, size, cancellationToken);
    }

    public Task AppendMetricsAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) return Task.CompletedTask;
        return EnqueueAsync(rows =>
        {
            foreach (var point in points) rows.AppendMetric(point);
        }, 64L * points.Count, cancellationToken);
    }

    public Task PutCachedAsync(CacheEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return EnqueueAsync(rows => rows.PutCached(entry), 128L + (entry.OutputJson?.Length ?? 0), cancellationToken);
    }

    private Task EnqueueAsync(Action<WriteRows> add, long size, CancellationToken cancellationToken)
    {
        // The token is honoured only until the write is queued: after that it is committed with its batch, because
        // a caller told "cancelled" must be able to trust that nothing was written.
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        EnsureInitialized();

        var write = new PendingWrite(add, size);
        if (!_writes.Writer.TryWrite(write)) throw new ObjectDisposedException(nameof(PostgresRunStore));
        return write.Completion.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxBatchSize);
        var queue = _writes.Reader;
        while (await queue.WaitToReadAsync().ConfigureAwait(false))
        {
            long size = 0;
            while (batch.Count < MaxBatchSize && size < MaxBatchChars && queue.TryRead(out var write))
            {
                batch.Add(write);
                size += write.Size;
            }

            await CommitAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }

        await ForgetMarkerAsync().ConfigureAwait(false);
        await DropWriterAsync().ConfigureAwait(false);
    }

    /// <summary>Deletes this store's marker row when it closes; rows left by stores that did not close are deleted a week later.</summary>
    private async Task ForgetMarkerAsync()
    {
        if (_writer is not { State: ConnectionState.Open }) return;
        try
        {
            await using var command = Command(_writer,
                "DELETE FROM run_store_writers WHERE writer = $1 OR written_at < now() - interval '7 days'", _writerId);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // Only a row of a few bytes is left behind.
        }
    }

    /// <summary>Commits the batch and completes every write's task; never throws, so the loop always goes on.</summary>
    private async Task CommitAsync(List<PendingWrite> batch)
    {
        var failure = await TryWriteAsync(batch).ConfigureAwait(false);
        if (failure is not null && batch.Count > 1 && IsCausedByOneWrite(failure))
        {
            // One write's data (an oversized key, a value PostgreSQL rejects) fails the statement it shares with the
            // others: write each alone, so only that one fails.
            foreach (var write in batch) Complete(write, await TryWriteAsync([write]).ConfigureAwait(false));
            return;
        }

        foreach (var write in batch) Complete(write, failure);
    }

    /// <summary>
    /// Writes the batch in one transaction; returns null, or the error that failed it: then nothing of it was written,
    /// unless the server went away for longer than the outage tolerance just after a commit it could not confirm.
    /// </summary>
    private async Task<Exception?> TryWriteAsync(IReadOnlyList<PendingWrite> batch)
    {
        var rows = new WriteRows();
        foreach (var write in batch) write.AddTo(rows);
        var number = ++_batchNumber;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The writer keeps its connection: a batch of one on a connection just taken from the pool took a
                // third longer (0.39–0.47 against 0.28–0.36 ms), though taking it alone costs microseconds. One
                // round trip: the statements of a batch sent together run as one implicit transaction.
                _writer ??= await OpenWriterAsync().ConfigureAwait(false);
                await WriteAsync(_writer, rows, number, CancellationToken.None).ConfigureAwait(false);
                _outageStarted = null;
                return null;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
                                              && attempt < MaxAttemptsOnConflict)
            {
                // Another writer (another service silo) locked the same rows; the transaction was rolled back whole.
            }
            catch (Exception e) when (IsConnectionLost(e, _writer))
            {
                return await RecoverAsync(rows, number, e).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // A statement's error leaves the connection as it was. Never let one bad write end the loop: every
                // later write would hang.
                return e;
            }
        }
    }

    /// <summary>
    /// The writer's connection broke (a server restart or failover, the network, a proxy) with the batch unsent, sent
    /// or even committed. Waits for the server, learns from the writer's marker row whether the batch committed, and
    /// writes it again only if it did not, so that no write is lost and none is applied twice (its history events and
    /// metric points would be). Gives up when the server stays away longer than <see cref="PostgresRunStoreOptions.OutageTolerance"/>.
    /// </summary>
    private async Task<Exception?> RecoverAsync(WriteRows rows, long number, Exception failure)
    {
        var lostBackend = _writerBackend;
        await DropWriterAsync().ConfigureAwait(false);
        // Counted from the first failure, so that once one batch has given up the ones queued behind it do not each
        // wait the whole tolerance again.
        var started = _outageStarted ??= Stopwatch.GetTimestamp();
        for (var pause = TimeSpan.FromMilliseconds(50); ; pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxRecoveryPause.Ticks)))
        {
            try
            {
                await Task.Delay(pause, _closing.Token).ConfigureAwait(false);
                _writer = await OpenWriterAsync().ConfigureAwait(false);
                // The old connection's server process may still be running the batch (only the client side broke):
                // it must end, committing or not, before the marker can say which.
                if (lostBackend is not { } backend || await EndBackendAsync(_writer, backend).ConfigureAwait(false))
                {
                    lostBackend = null;
                    if (!await CommittedAsync(_writer, number).ConfigureAwait(false))
                        await WriteAsync(_writer, rows, number, CancellationToken.None).ConfigureAwait(false);
                    _outageStarted = null;
                    return null;
                }
            }
            catch (OperationCanceledException) when (_closing.IsCancellationRequested)
            {
            }
            catch (Exception e) when (IsConnectionLost(e, _writer))
            {
                failure = e;
                lostBackend ??= _writerBackend; // a rewrite on the new connection may have committed too
                await DropWriterAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                return e;
            }

            var waited = Stopwatch.GetElapsedTime(started);
            if (waited >= _options.OutageTolerance || _closing.IsCancellationRequested)
            {
                // A batch sent on a connection that then broke may have been committed; only the server can say.
                var outcome = lostBackend is null ? "this write was not stored" : "whether this write was stored is not known";
                var reason = failure is NpgsqlException npgsql ? Translate(npgsql, "writing to the run store").Message : failure.Message;
                return new RunStoreException(
                    $"{reason} The store kept trying for {waited.TotalSeconds:0.#} s (its outage tolerance is "
                  + $"{_options.OutageTolerance.TotalSeconds:0.#} s); {outcome}.", failure);
            }
        }
    }

    /// <summary>Errors after which the connection cannot be trusted to have run the batch or not: the network, a timeout, the server going away.</summary>
    private static bool IsConnectionLost(Exception e, NpgsqlConnection? connection) => connection is { State: not ConnectionState.Open } || e switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exceptions
                               || p.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                                   or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections,
        NpgsqlException => true, // sockets, timeouts: Npgsql breaks the connection
        _ => false,
    };

    private async Task<NpgsqlConnection> OpenWriterAsync()
    {
        var connection = await _writerSource.OpenConnectionAsync().ConfigureAwait(false);
        try
        {
            await using var command = Command(connection, "SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()");
            _writerBackend = (connection.ProcessID, (DateTime)(await command.ExecuteScalarAsync().ConfigureAwait(false))!);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task DropWriterAsync()
    {
        if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
        _writer = null;
        _writerBackend = null;
    }

    /// <summary>Ends the server process of a lost connection (if it is still there) and waits for it to go; false when it did not go in time.</summary>
    private static async Task<bool> EndBackendAsync(NpgsqlConnection connection, (int Pid, DateTime Started) backend)
    {
        // The start time tells that process from a later one given the same pid. pg_terminate_backend waits up to its timeout.
        await using var command = Command(connection,
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE pid = $1 AND backend_start = $2", backend.Pid, backend.Started);
        return await command.ExecuteScalarAsync().ConfigureAwait(false) is null or true;
    }

    private async Task<bool> CommittedAsync(NpgsqlConnection connection, long number)
    {
        await using var command = Command(connection, "SELECT last_batch FROM run_store_writers WHERE writer = $1", _writerId);
        return await command.ExecuteScalarAsync().ConfigureAwait(false) is long last && last >= number;
    }

    private void Complete(PendingWrite write, Exception? failure)
    {
        if (failure is null) write.Completion.TrySetResult();
        else write.Completion.TrySetException(failure is NpgsqlException npgsql ? Translate(npgsql, "writing to the run store") : failure);
    }

    /// <summary>True when the error comes from the data of a write (so writing the others alone would succeed), not from the server or the network.</summary>
    private static bool IsCausedByOneWrite(Exception e) => e switch
    {
        // 22: data exception (a value the column type rejects), 23: integrity constraint, 54: program limit (an
        // index row too large for a btree, an array too large).
        PostgresException postgres => postgres.SqlState.StartsWith("22", StringComparison.Ordinal)
                                      || postgres.SqlState.StartsWith("23", StringComparison.Ordinal)
                                      || postgres.SqlState.StartsWith("54", StringComparison.Ordinal),
        NpgsqlException or RunStoreException => false, // the server, the network, or an outage given up on
        // A value Npgsql could not send (it checks parameters before it writes anything).
        _ => true,
    };

    /// <summary>Runs one multi-row statement per table that has rows, in one round trip, prepared once per connection.</summary>
    private async Task WriteAsync(NpgsqlConnection connection, WriteRows rows, long? number, CancellationToken cancellationToken)
    {
        await using var batch = rows.ToBatch(connection);
        if (batch.BatchCommands.Count == 0) return;
        if (number is { } batchNumber)
        {
            // The writer's marker row commits with the rows or not at all: after a broken connection it tells which.
            var marker = new NpgsqlBatchCommand(
                "INSERT INTO run_store_writers (writer, last_batch) VALUES ($1, $2) "
              + "ON CONFLICT (writer) DO UPDATE SET last_batch = EXCLUDED.last_batch, written_at = now()");
            marker.Parameters.Add(new NpgsqlParameter { Value = _writerId });
            marker.Parameters.Add(new NpgsqlParameter { Value = batchNumber });
            batch.BatchCommands.Add(marker);
        }
        await batch.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- reads

    public Task<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection, $"SELECT {RunColumnList} FROM runs WHERE run_id = $1", runId);
            var runs = await ReadAllAsync(command, ReadRun, ct).ConfigureAwait(false);
            return runs.Count == 0 ? null : runs[0];
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RunInfo>> ListUnfinishedRunsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                $"SELECT {RunColumnList} FROM runs WHERE status IN ($1, $2) ORDER BY created_at, run_id",
                nameof(RunStatus.Pending), nameof(RunStatus.Running));
            return await ReadAllAsync(command, ReadRun, ct).ConfigureAwait(false);
        }, cancellationToken);

    public Task<IReadOnlyList<RunInfo>> ListChildrenAsync(string parentRunId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parentRunId);
        return ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                $"SELECT {RunColumnList} FROM runs WHERE parent_run_id = $1 ORDER BY created_at, run_id", parentRunId);
            return await ReadAllAsync(command, ReadRun, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RunLogLine>> GetLogsAsync(
        string runId, long afterSequence = 0, int limit = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                "SELECT run_id, seq, ts, level, message, attempt FROM run_logs WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                runId, afterSequence, limit);
            return await ReadAllAsync(command, r => new RunLogLine(
                r.GetString(0), r.GetInt64(1), Time(r, 2), (LogLevel)r.GetInt32(3), r.GetString(4), r.GetInt32(5)), ct)
                .ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                "SELECT run_id, name, step, value, ts FROM run_metrics WHERE run_id = $1 ORDER BY id", runId);
            return await ReadAllAsync(command, r => new MetricPoint(
                r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetDouble(3), Time(r, 4)), ct)
                .ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RunEvent>> GetHistoryAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                "SELECT run_id, ts, status, attempt, worker, reason FROM run_events WHERE run_id = $1 ORDER BY id", runId);
            return await ReadAllAsync(command, r => new RunEvent(
                r.GetString(0), Time(r, 1), Enum.Parse<RunStatus>(r.GetString(2)), r.GetInt32(3),
                NullableString(r, 4), NullableString(r, 5)), ct)
                .ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<CacheEntry?> GetCachedAsync(string cacheKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cacheKey);
        return ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                "SELECT key, routine_id, output_json, run_id, created_at FROM task_cache WHERE key = $1", cacheKey);
            var entries = await ReadAllAsync(command, r => new CacheEntry(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Time(r, 4)), ct)
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
            // One snapshot for both statements, so the page and its total agree while runs are being written.
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);

            await using var count = Command(connection, $"SELECT count(*) FROM runs{where}", parameters);
            var total = checked((int)(long)(await count.ExecuteScalarAsync(ct).ConfigureAwait(false))!);
            IReadOnlyList<RunInfo> runs = [];
            if (total > filter.Skip && filter.Take > 0)
            {
                var take = parameters.Length + 1;
                await using var page = Command(connection,
                    $"SELECT {RunColumnList} FROM runs{where} ORDER BY created_at DESC, run_id DESC LIMIT ${take} OFFSET ${take + 1}",
                    [.. parameters, filter.Take, filter.Skip]);
                runs = await ReadAllAsync(page, ReadRun, ct).ConfigureAwait(false);
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return new RunPage(runs, total);
        }, cancellationToken);
    }

    /// <summary>The WHERE clause (with a leading space, or empty) and its positional parameters for a run filter.</summary>
    private static (string Sql, object?[] Parameters) Where(RunFilter filter)
    {
        var conditions = new List<string>();
        var parameters = new List<object?>();
        void Add(string condition, object value)
        {
            parameters.Add(value);
            conditions.Add(condition.Replace("$p", $"${parameters.Count}", StringComparison.Ordinal));
        }

        if (filter.Status is { } status) Add("status = $p", status.ToString());
        if (!string.IsNullOrEmpty(filter.RoutineName)) Add("routine_name = $p", filter.RoutineName);
        if (!string.IsNullOrEmpty(filter.RootRunId)) Add("root_run_id = $p", filter.RootRunId);
        if (filter.RootsOnly) conditions.Add("parent_run_id IS NULL");
        if (filter.CreatedAfter is { } after) Add("created_at >= $p", ToDb(after));
        if (filter.CreatedBefore is { } before) Add("created_at < $p", ToDb(before));
        if (!string.IsNullOrEmpty(filter.Search))
        {
            // Under the "C" collation ILIKE folds ASCII case only, as SQLite's LIKE; escaping makes % and _ literal.
            Add(@"(run_id ILIKE $p ESCAPE '\' OR routine_name ILIKE $p ESCAPE '\')", $"%{EscapeLike(filter.Search)}%");
        }

        var sql = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        return (sql, parameters.ToArray());
    }

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal);

    /// <summary>
    /// Runs a read on a pooled connection of its own, translating PostgreSQL errors. A read is safe to repeat, so one
    /// whose connection broke (the server restarting, a pooled connection it closed while idle) is tried again until
    /// the server is back, for as long as writes wait (<see cref="PostgresRunStoreOptions.OutageTolerance"/>): a
    /// submit's cache lookup or a run's load must not fail where its write would have waited.
    /// </summary>
    private async Task<T> ReadAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        EnsureInitialized();
        long? started = null;
        for (var pause = TimeSpan.FromMilliseconds(50); ; pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxRecoveryPause.Ticks)))
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                return await read(connection, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested && IsConnectionLost(e, null)
                                            && Stopwatch.GetElapsedTime(started ??= Stopwatch.GetTimestamp()) < _options.OutageTolerance)
            {
                // The pool's idle connections went with the server: the next try opens a new one.
                _dataSource.Clear();
            }
            catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
            {
                var waited = started is { } since ? $" The store kept trying for {Stopwatch.GetElapsedTime(since).TotalSeconds:0.#} s (its outage tolerance is {_options.OutageTolerance.TotalSeconds:0.#} s)." : "";
                throw new RunStoreException(Translate(e, "reading runs").Message + waited);
            }

            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }

    // ---------------------------------------------------------------- rows and values

    /// <summary>The columns of <c>runs</c>, in the order <see cref="ReadRun"/> reads them.</summary>
    private static readonly Table<RunInfo> Runs = new("runs", ["run_id"], OnConflict.Replace,
        Text<RunInfo>("run_id", r => r.RunId),
        Text<RunInfo>("routine_id", r => r.RoutineId),
        Text<RunInfo>("routine_name", r => r.RoutineName),
        Text<RunInfo>("routine_version", r => r.RoutineVersion),
        Text<RunInfo>("kind", r => Name(r.Kind)),
        Text<RunInfo>("status", r => Name(r.Status)),
        Integer<RunInfo>("attempt", r => r.Attempt),
        Integer<RunInfo>("max_attempts", r => r.MaxAttempts),
        Text<RunInfo>("input_json", r => r.InputJson),
        Text<RunInfo>("output_json", r => r.OutputJson),
        Text<RunInfo>("error_json", r => ToJson(r.Error)),
        Text<RunInfo>("parent_run_id", r => r.ParentRunId),
        Text<RunInfo>("root_run_id", r => r.RootRunId),
        Integer<RunInfo>("parent_attempt", r => r.ParentAttempt),
        Timestamp<RunInfo>("created_at", r => r.CreatedAt),
        Timestamp<RunInfo>("started_at", r => r.StartedAt),
        Timestamp<RunInfo>("finished_at", r => r.FinishedAt),
        Text<RunInfo>("worker", r => r.Worker),
        Text<RunInfo>("cached_from_run_id", r => r.CachedFromRunId),
        Text<RunInfo>("wait_reason", r => r.WaitReason),
        Bigint<RunInfo>("progress_current", r => r.Progress?.Current),
        Bigint<RunInfo>("progress_total", r => r.Progress?.Total),
        Text<RunInfo>("progress_message", r => r.Progress?.Message),
        Timestamp<RunInfo>("progress_updated_at", r => r.Progress?.UpdatedAt),
        Text<RunInfo>("options_json", r => ToJson(r.Options)),
        Text<RunInfo>("policy_json", r => ToJson(r.Policy)));

    private static readonly Table<RunEvent> Events = new("run_events", [], OnConflict.Append,
        Text<RunEvent>("run_id", e => e.RunId),
        Timestamp<RunEvent>("ts", e => e.Timestamp),
        Text<RunEvent>("status", e => Name(e.Status)),
        Integer<RunEvent>("attempt", e => e.Attempt),
        Text<RunEvent>("worker", e => e.Worker),
        Text<RunEvent>("reason", e => e.Reason));

    // A log line sent twice (a retried call) is kept once: sequence numbers identify lines.
    private static readonly Table<RunLogLine> Logs = new("run_logs", ["run_id", "seq"], OnConflict.Ignore,
        Text<RunLogLine>("run_id", l => l.RunId),
        Bigint<RunLogLine>("seq", l => l.Sequence),
        Timestamp<RunLogLine>("ts", l => l.Timestamp),
        Integer<RunLogLine>("level", l => (int)l.Level),
        Text<RunLogLine>("message", l => l.Message),
        Integer<RunLogLine>("attempt", l => l.Attempt));

    private static readonly Table<MetricPoint> Metrics = new("run_metrics", [], OnConflict.Append,
        Text<MetricPoint>("run_id", p => p.RunId),
        Text<MetricPoint>("name", p => p.Name),
        Bigint<MetricPoint>("step", p => p.Step),
        Double<MetricPoint>("value", p => p.Value),
        Timestamp<MetricPoint>("ts", p => p.Timestamp));

    private static readonly Table<CacheEntry> Cache = new("task_cache", ["key"], OnConflict.Replace,
        Text<CacheEntry>("key", c => c.Key),
        Text<CacheEntry>("routine_id", c => c.RoutineId),
        Text<CacheEntry>("output_json", c => c.OutputJson),
        Text<CacheEntry>("run_id", c => c.RunId),
        Timestamp<CacheEntry>("created_at", c => c.CreatedAt));

    private static readonly string RunColumnList = string.Join(", ", Runs.ColumnNames);

    private static RunInfo ReadRun(DbDataReader r) => StoredRows.ReadRun(r, Time);

    private static DateTimeOffset Time(DbDataReader r, int ordinal) => r.GetFieldValue<DateTimeOffset>(ordinal);

    /// <summary>
    /// A UTC instant truncated to the millisecond, the precision the SQLite store keeps, so a time reads back, and
    /// compares in a filter, the same in both stores.
    /// </summary>
    private static DateTime ToDb(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    /// <summary>
    /// Text PostgreSQL can hold. It refuses U+0000, and Npgsql refuses a lone surrogate, where SQLite stores U+0000 and
    /// turns a lone surrogate into U+FFFD: both become U+FFFD here, rather than failing the write.
    /// </summary>
    private static string? ToDb(string? text)
    {
        if (text is null) return null;
        var span = text.AsSpan();
        var nul = span.Contains('\0');
        // Any surrogate (an emoji too) takes the slow path, which keeps valid pairs and replaces lone halves.
        if (span.IndexOfAnyInRange('\uD800', '\uDFFF') >= 0) text = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
        return nul ? text.Replace('\0', '\uFFFD') : text;
    }

    // ---------------------------------------------------------------- opening and schema

    /// <summary>With <see cref="PostgresRunStoreOptions.MigrateOnStart"/> off: the database must hold every migration this build knows.</summary>
    private async Task CheckMigratedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var applied = new HashSet<string>(StringComparer.Ordinal);
        await using (var exists = Command(connection, "SELECT to_regclass('routines_migrations') IS NOT NULL"))
        {
            if ((bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                await using var names = Command(connection, "SELECT name FROM routines_migrations");
                foreach (var name in await ReadAllAsync(names, r => r.GetString(0), cancellationToken).ConfigureAwait(false)) applied.Add(name);
            }
        }

        var unknown = applied.Except(PostgresMigrations.Known).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new RunStoreException(
                $"The PostgreSQL database ({_where}) has migrations this build does not know ({string.Join(", ", unknown)}): it was " +
                "migrated by a newer Routines. Upgrade this service, or point it at another database.");
        }

        var missing = PostgresMigrations.Known.Where(name => !applied.Contains(name)).ToList();
        if (missing.Count > 0)
        {
            var what = applied.Count == 0 ? "has no Routines schema" : "has an older Routines schema";
            throw new RunStoreException(
                $"The PostgreSQL database ({_where}) {what} (missing migrations: {string.Join(", ", missing)}), and " +
                $"{MigrateOnStartKey} is false. {MigrateHint}");
        }
    }

    /// <summary>
    /// Writes a row to every table through the writer's own statements and rolls it back: proves now, not at the first
    /// run, that the tables are there, that this user may write them, and that the server is not a read-only standby.
    /// </summary>
    private async Task ProbeWriteAsync(CancellationToken cancellationToken)
    {
        var id = "routines-write-probe-" + Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        var rows = new WriteRows();
        rows.SaveRun(new RunInfo
        {
            RunId = id, RoutineId = "tname:probe:0.0.0", RoutineName = "probe", RoutineVersion = "0.0.0", Kind = RoutineKind.Task,
            InputJson = "{}", RootRunId = id, CreatedAt = now,
        });
        rows.AppendEvent(new RunEvent(id, now, RunStatus.Pending, 0, null, null));
        rows.AppendLog(new RunLogLine(id, 1, now, LogLevel.Information, "probe", 0));
        rows.AppendMetric(new MetricPoint(id, "probe", 0, 0, now));
        rows.PutCached(new CacheEntry(id, "tname:probe:0.0.0", "{}", id, now));

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(connection, rows, null, cancellationToken).ConfigureAwait(false);
        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
    }

    private void EnsureInitialized()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writeLoop is null)
        {
            throw new InvalidOperationException($"The PostgreSQL run store ({_where}) is not initialized: call {nameof(InitializeAsync)} first.");
        }
    }

    /// <summary>Turns an Npgsql error into a message that says what is wrong with the store and what to do; never shows the password.</summary>
    private RunStoreException Translate(NpgsqlException e, string doing)
    {
        var at = $"PostgreSQL ({_where})";
        var message = e switch
        {
            PostgresException p => p.SqlState switch
            {
                PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                    $"{at} refused the login while {doing}: {p.MessageText}. Check the user name and password in {ConnectionStringKey}.",
                PostgresErrorCodes.InvalidCatalogName =>
                    $"{at} has no such database: {p.MessageText}. Create it (CREATE DATABASE …), or fix the database name in {ConnectionStringKey}.",
                PostgresErrorCodes.InsufficientPrivilege =>
                    $"{at} does not let this user finish {doing}: {p.MessageText}. Grant the user SELECT, INSERT, UPDATE and DELETE on the " +
                    "Routines tables (or connect as their owner), and let whoever migrates own the schema.",
                PostgresErrorCodes.ReadOnlySqlTransaction =>
                    $"{at} is read-only ({p.MessageText}): is it a standby? Point {ConnectionStringKey} at the primary server.",
                PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.InvalidColumnReference =>
                    $"{at} lacks part of the Routines schema while {doing} ({p.MessageText}). {MigrateHint}",
                PostgresErrorCodes.DiskFull =>
                    $"{at} is out of disk space while {doing} ({p.MessageText}). Free some space on the database server.",
                PostgresErrorCodes.TooManyConnections =>
                    $"{at} has no connection slot left ({p.MessageText}). Lower Maximum Pool Size in {ConnectionStringKey}, or raise the server's max_connections.",
                PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow =>
                    $"{at} is shutting down or starting up ({p.MessageText}) while {doing}. Retry once the server is up.",
                _ when IsCausedByOneWrite(p) =>
                    $"{at} rejected a value while {doing}: {p.MessageText} (SQLSTATE {p.SqlState}).",
                _ => $"{at} failed while {doing}: {p.MessageText} (SQLSTATE {p.SqlState}).",
            },
            { InnerException: TimeoutException } =>
                $"{at} did not answer in time while {doing} ({e.Message}). Check that the server is up, reachable and not overloaded, " +
                $"or raise Timeout / Command Timeout in {ConnectionStringKey}.",
            _ => $"Cannot reach {at} while {doing}: {e.Message}. Check that the server is up and reachable, and {ConnectionStringKey}.",
        };
        return new RunStoreException(message, e);
    }

    // ---------------------------------------------------------------- the writer

    /// <summary>A queued write, the task its caller awaits, and a rough size of its payload.</summary>
    private sealed class PendingWrite(Action<WriteRows> add, long size)
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Size => size;

        public void AddTo(WriteRows rows) => add(rows);
    }

    /// <summary>
    /// The rows of one batch, per table. Applying the batch's writes in order and then writing these rows leaves the
    /// tables as writing each write alone would: the last save of a run (or cache key) wins, the first copy of a log
    /// line wins, events and metric points keep their order.
    /// </summary>
    private sealed class WriteRows
    {
        private readonly Dictionary<string, RunInfo> _runs = new(StringComparer.Ordinal);
        private readonly List<RunEvent> _events = [];
        private readonly Dictionary<(string RunId, long Sequence), RunLogLine> _logs = new();
        private readonly List<MetricPoint> _metrics = [];
        private readonly Dictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);

        public void SaveRun(RunInfo run) => _runs[run.RunId] = run;

        public void AppendEvent(RunEvent e) => _events.Add(e);

        public void AppendLog(RunLogLine line) => _logs.TryAdd((line.RunId, line.Sequence), line);

        public void AppendMetric(MetricPoint point) => _metrics.Add(point);

        public void PutCached(CacheEntry entry) => _cache[entry.Key] = entry;

        public NpgsqlBatch ToBatch(NpgsqlConnection connection)
        {
            // Rows that may conflict go in key order, so two service silos writing the same keys lock them in the
            // same order instead of deadlocking.
            var batch = new NpgsqlBatch(connection);
            if (_runs.Count > 0) batch.BatchCommands.Add(Runs.Command([.. _runs.Values.OrderBy(r => r.RunId, StringComparer.Ordinal)]));
            if (_events.Count > 0) batch.BatchCommands.Add(Events.Command(_events));
            if (_logs.Count > 0)
            {
                batch.BatchCommands.Add(Logs.Command(
                    [.. _logs.Values.OrderBy(l => l.RunId, StringComparer.Ordinal).ThenBy(l => l.Sequence)]));
            }
            if (_metrics.Count > 0) batch.BatchCommands.Add(Metrics.Command(_metrics));
            if (_cache.Count > 0) batch.BatchCommands.Add(Cache.Command([.. _cache.Values.OrderBy(c => c.Key, StringComparer.Ordinal)]));
            return batch;
        }
    }

    private enum OnConflict
    {
        /// <summary>No key but the generated id: every row is inserted.</summary>
        Append,

        /// <summary>A row whose key exists is left out.</summary>
        Ignore,

        /// <summary>A row whose key exists replaces the stored one.</summary>
        Replace,
    }

    /// <summary>A column of a table, and how to turn a batch's rows into the array bound for it.</summary>
    private sealed record Column<T>(string Name, NpgsqlDbType Type, Func<IReadOnlyList<T>, Array> Values)
    {
        public string SqlType => Type switch
        {
            NpgsqlDbType.Text => "text",
            NpgsqlDbType.Integer => "integer",
            NpgsqlDbType.Bigint => "bigint",
            NpgsqlDbType.Double => "double precision",
            NpgsqlDbType.TimestampTz => "timestamptz",
            _ => throw new ArgumentOutOfRangeException(nameof(Type), Type, null),
        };
    }

    /// <summary>
    /// One table's multi-row insert: every column is bound as one array and the rows come from <c>unnest</c>, so a
    /// batch of any size is one statement with a fixed text, which the server parses and plans once per connection.
    /// </summary>
    private sealed class Table<T>
    {
        private readonly Column<T>[] _columns;
        private readonly string _sql;

        public Table(string name, string[] key, OnConflict onConflict, params Column<T>[] columns)
        {
            _columns = columns;
            var names = string.Join(", ", columns.Select(c => c.Name));
            var arrays = string.Join(", ", columns.Select((c, i) => $"${i + 1}::{c.SqlType}[]"));
            var conflict = onConflict switch
            {
                OnConflict.Append => "",
                OnConflict.Ignore => $" ON CONFLICT ({string.Join(", ", key)}) DO NOTHING",
                _ => $" ON CONFLICT ({string.Join(", ", key)}) DO UPDATE SET " +
                     string.Join(", ", columns.Where(c => !key.Contains(c.Name)).Select(c => $"{c.Name} = excluded.{c.Name}")),
            };
            // WITH ORDINALITY and ORDER BY keep the rows in array order: ids of events and metric points follow the
            // write order, and keyed rows are locked in the order ToBatch chose.
            _sql = $"INSERT INTO {name} ({names}) SELECT {names} FROM unnest({arrays}) WITH ORDINALITY AS u({names}, ord) ORDER BY ord{conflict}";
        }

        public IEnumerable<string> ColumnNames => _columns.Select(c => c.Name);

        public NpgsqlBatchCommand Command(IReadOnlyList<T> rows)
        {
            var command = new NpgsqlBatchCommand(_sql);
            foreach (var column in _columns)
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | column.Type, Value = column.Values(rows) });
            }
            return command;
        }
    }

    private static Column<T> Text<T>(string name, Func<T, string?> get) => new(name, NpgsqlDbType.Text, rows => Map(rows, r => ToDb(get(r))));

    private static Column<T> Integer<T>(string name, Func<T, int> get) => new(name, NpgsqlDbType.Integer, rows => Map(rows, get));

    private static Column<T> Bigint<T>(string name, Func<T, long?> get) => new(name, NpgsqlDbType.Bigint, rows => Map(rows, get));

    private static Column<T> Double<T>(string name, Func<T, double> get) => new(name, NpgsqlDbType.Double, rows => Map(rows, get));

    private static Column<T> Timestamp<T>(string name, Func<T, DateTimeOffset?> get) =>
        new(name, NpgsqlDbType.TimestampTz, rows => Map(rows, r => get(r) is { } time ? ToDb(time) : (DateTime?)null));

    private static TValue[] Map<T, TValue>(IReadOnlyList<T> rows, Func<T, TValue> get)
    {
        var values = new TValue[rows.Count];
        for (var i = 0; i < values.Length; i++) values[i] = get(rows[i]);
        return values;
    }
}
