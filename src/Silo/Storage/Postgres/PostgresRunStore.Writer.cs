using System.Data;
using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Routines.Client;

using static Routines.Silo.Storage.StoredRows;

namespace Routines.Silo.Storage.Postgres;

/// <summary>The write side: queued writes committed in batches by one writer connection, and recovery when the server goes away.</summary>
internal sealed partial class PostgresRunStore
{
    public Task SaveRunAsync(RunInfo run, IReadOnlyList<RunEvent> transitions, CacheEntry? cacheEntry = null, RunStatus? stored = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(transitions);
        // Sizes are estimates that only bound a batch; a null in a required field fails in the writer, as in SQLite.
        var size = 256L + (run.InputJson?.Length ?? 0) + (run.OutputJson?.Length ?? 0) + (cacheEntry?.OutputJson?.Length ?? 0);
        foreach (var transition in transitions) size += 64 + (transition.Reason?.Length ?? 0);
        return EnqueueAsync(rows =>
        {
            if (cacheEntry is not null) rows.PutCached(cacheEntry);
            rows.SaveRun(run, stored);
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

    private Task EnqueueAsync(Action<WriteRows> add, long size, CancellationToken cancellationToken)
    {
        // The token is honoured only until the write is queued: after that it is committed with its batch, because
        // a caller told "cancelled" must be able to trust that nothing was written.
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        EnsureInitialized();

        var write = new PendingWrite(add, size);
        if (!_writes!.TryAdd(write)) throw new ObjectDisposedException(nameof(PostgresRunStore));
        return write.Completion.Task;
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
    private async Task CommitAsync(IReadOnlyList<PendingWrite> batch)
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
        var rows = new WriteRows(_unsure, batch.Count);
        foreach (var write in batch) write.AddTo(rows);
        var failure = await WriteOrRecoverAsync(rows).ConfigureAwait(false);
        rows.Settle(committed: failure is null);
        return failure;
    }

    private async Task<Exception?> WriteOrRecoverAsync(WriteRows rows)
    {
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
            catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "runs_pkey" } && rows.TrustsCallers)
            {
                // A run its grain took for new was stored after all (rolled back with the batch): write them all as
                // runs whose stored status is read from their rows.
                rows.TrustsCallers = false;
                attempt--;
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
    /// <param name="unsure">
    /// Runs whose last write failed: their grains' idea of the stored status may be ahead of the row, so they are written
    /// as runs whose stored status is read from the row, until such a write commits.
    /// </param>
    /// <param name="writes">How many writes the batch holds: most save a run with an event, so the run and event rows are sized for them.</param>
    private sealed class WriteRows(HashSet<string> unsure, int writes = 0)
    {
        // Each run's last record, and its stored status as its first save in the batch gave it.
        private readonly Dictionary<string, (RunInfo Run, RunStatus? Stored)> _runs = new(writes, StringComparer.Ordinal);
        private readonly List<RunEvent> _events = new(writes);
        private readonly Dictionary<(string RunId, long Sequence), RunLogLine> _logs = new();
        private readonly List<MetricPoint> _metrics = [];
        private readonly Dictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);

        /// <summary>
        /// False once a run its grain took for new turned out stored: then every run of the batch is written by the
        /// statement that reads the stored status from its row (<see cref="Runs"/>).
        /// </summary>
        public bool TrustsCallers { get; set; } = true;

        public void SaveRun(RunInfo run, RunStatus? stored) =>
            _runs[run.RunId] = (run, _runs.TryGetValue(run.RunId, out var first) ? first.Stored : stored);

        /// <summary>After the batch: its runs are unsure if it failed, and sure again if it committed.</summary>
        public void Settle(bool committed)
        {
            if (committed && unsure.Count == 0) return; // the usual case: nothing to look up
            foreach (var runId in _runs.Keys)
                if (committed) unsure.Remove(runId);
                else unsure.Add(runId);
        }

        public void AppendEvent(RunEvent e) => _events.Add(e);

        public void AppendLog(RunLogLine line) => _logs.TryAdd((line.RunId, line.Sequence), line);

        public void AppendMetric(MetricPoint point) => _metrics.Add(point);

        public void PutCached(CacheEntry entry) => _cache[entry.Key] = entry;

        public NpgsqlBatch ToBatch(NpgsqlConnection connection)
        {
            // Rows that may conflict go in key order, so two service silos writing the same keys lock them in the
            // same order instead of deadlocking.
            var batch = new NpgsqlBatch(connection);
            if (_runs.Count > 0) AddRuns(batch);
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

        /// <summary>
        /// New runs inserted, stored ones changed in the columns that change, and the counts moved by what their grains
        /// say each replaced (decision #76); runs whose stored status is not sure go through <see cref="Runs"/>, which
        /// reads it from the locked row.
        /// </summary>
        private void AddRuns(NpgsqlBatch batch)
        {
            List<RunInfo> read = [], added = [], changed = [];
            var counts = new Dictionary<(string Routine, string Status, bool Root), long>();
            foreach (var (run, stored) in _runs.Values.OrderBy(r => r.Run.RunId, StringComparer.Ordinal))
            {
                if (!TrustsCallers || unsure.Contains(run.RunId))
                {
                    read.Add(run);
                    continue;
                }

                (stored is null ? added : changed).Add(run);
                if (stored == run.Status) continue;
                Count(run, Name(run.Status), 1);
                if (stored is { } replaced) Count(run, Name(replaced), -1);
            }

            if (read.Count > 0) batch.BatchCommands.Add(Runs.Command(read));
            if (added.Count > 0) batch.BatchCommands.Add(NewRuns.Command(added));
            if (changed.Count > 0) batch.BatchCommands.Add(RunChanges.Command(changed));
            // In key order, as the counts' other writer (the removals' trigger) locks them.
            List<CountChange> moved = [.. counts.Where(c => c.Value != 0)
                .Select(c => new CountChange(c.Key.Routine, c.Key.Status, c.Key.Root, c.Value))
                .OrderBy(c => c.Routine, StringComparer.Ordinal).ThenBy(c => c.Status, StringComparer.Ordinal).ThenBy(c => c.Root)];
            if (moved.Count > 0) batch.BatchCommands.Add(CountChanges.Command(moved));

            void Count(RunInfo run, string status, long change)
            {
                var key = (run.RoutineName, status, run.ParentRunId is null);
                counts[key] = counts.GetValueOrDefault(key) + change;
            }
        }
    }

    private enum OnConflict
    {
        /// <summary>No key but the generated id: every row is inserted.</summary>
        Append,

        /// <summary>A row whose key exists fails the statement.</summary>
        Refuse,

        /// <summary>A row whose key exists is left out.</summary>
        Ignore,

        /// <summary>A row whose key exists replaces the stored one.</summary>
        Replace,

        /// <summary>A row whose key exists adds its values to the stored ones.</summary>
        Add,
    }

    /// <summary>A column of a table, and how to bind it: a batch's rows as one array, or a lone row's value.</summary>
    private sealed record Column<T>(string Name, NpgsqlDbType Type, Func<IReadOnlyList<T>, Array> Values, Func<T, object?> Value)
    {
        public string SqlType => Type switch
        {
            NpgsqlDbType.Text => "text",
            NpgsqlDbType.Integer => "integer",
            NpgsqlDbType.Bigint => "bigint",
            NpgsqlDbType.Boolean => "boolean",
            NpgsqlDbType.Double => "double precision",
            NpgsqlDbType.TimestampTz => "timestamptz",
            _ => throw new ArgumentOutOfRangeException(nameof(Type), Type, null),
        };
    }

    /// <summary>
    /// One table's insert (or, from <see cref="Update"/>, update), in two forms with fixed texts, each parsed and planned
    /// once per connection. Rows of a batch come from <c>unnest</c> over one array per column, so a batch of any size is
    /// one statement; a lone row (what an idle store commits: a run's status change) is bound as plain values, which took
    /// such a commit's p50 from 0.24 to 0.19 ms, 61f80ee's (bench/README.md, "A lone row").
    /// </summary>
    private sealed class Table<T>
    {
        private readonly Column<T>[] _columns;
        private readonly string _rows;
        private readonly string _row;

        /// <param name="statement">Turns the upsert into the statement sent, when a write does more than store its rows.</param>
        public Table(string name, string[] key, OnConflict onConflict, Column<T>[] columns, Func<string, string>? statement = null)
        {
            _columns = columns;
            var names = string.Join(", ", columns.Select(c => c.Name));
            var values = columns.Where(c => !key.Contains(c.Name)).Select(c => c.Name);
            var conflict = onConflict switch
            {
                OnConflict.Append or OnConflict.Refuse => "",
                OnConflict.Ignore => $" ON CONFLICT ({string.Join(", ", key)}) DO NOTHING",
                OnConflict.Add => $" ON CONFLICT ({string.Join(", ", key)}) DO UPDATE SET " +
                                  string.Join(", ", values.Select(c => $"{c} = {name}.{c} + excluded.{c}")),
                _ => $" ON CONFLICT ({string.Join(", ", key)}) DO UPDATE SET " + string.Join(", ", values.Select(c => $"{c} = excluded.{c}")),
            };
            // WITH ORDINALITY and ORDER BY keep the rows in array order: ids of events and metric points follow the
            // write order, and keyed rows are locked in the order ToBatch chose.
            var rows = $"INSERT INTO {name} ({names}) SELECT {names} FROM unnest({Arrays(columns)}) WITH ORDINALITY AS u({names}, ord) ORDER BY ord{conflict}";
            var row = $"INSERT INTO {name} ({names}) VALUES ({string.Join(", ", columns.Select((c, i) => $"${i + 1}::{c.SqlType}"))}){conflict}";
            (_rows, _row) = statement is null ? (rows, row) : (statement(rows), statement(row));
        }

        private Table(Column<T>[] columns, string rows, string row) => (_columns, _rows, _row) = (columns, rows, row);

        /// <summary>An update of the <paramref name="changing"/> columns of rows found by their <paramref name="key"/>, in the same two forms.</summary>
        public static Table<T> Update(string name, Column<T> key, Column<T>[] changing)
        {
            Column<T>[] columns = [key, .. changing];
            var names = string.Join(", ", columns.Select(c => c.Name));
            return new Table<T>(columns,
                $"UPDATE {name} AS t SET {string.Join(", ", changing.Select(c => $"{c.Name} = u.{c.Name}"))} "
              + $"FROM unnest({Arrays(columns)}) AS u({names}) WHERE t.{key.Name} = u.{key.Name}",
                $"UPDATE {name} SET {string.Join(", ", changing.Select((c, i) => $"{c.Name} = ${i + 2}::{c.SqlType}"))} "
              + $"WHERE {key.Name} = $1::{key.SqlType}");
        }

        public NpgsqlBatchCommand Command(IReadOnlyList<T> rows)
        {
            if (rows.Count == 1)
            {
                var row = new NpgsqlBatchCommand(_row);
                foreach (var column in _columns)
                    row.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = column.Type, Value = column.Value(rows[0]) ?? DBNull.Value });
                return row;
            }

            var command = new NpgsqlBatchCommand(_rows);
            foreach (var column in _columns)
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | column.Type, Value = column.Values(rows) });
            return command;
        }

        private static string Arrays(Column<T>[] columns) => string.Join(", ", columns.Select((c, i) => $"${i + 1}::{c.SqlType}[]"));
    }

    private static Column<T> Text<T>(string name, Func<T, string?> get) => Bound<T, string?>(name, NpgsqlDbType.Text, r => ToDb(get(r)));

    private static Column<T> Integer<T>(string name, Func<T, int> get) => Bound(name, NpgsqlDbType.Integer, get);

    private static Column<T> Bigint<T>(string name, Func<T, long?> get) => Bound(name, NpgsqlDbType.Bigint, get);

    private static Column<T> Boolean<T>(string name, Func<T, bool> get) => Bound(name, NpgsqlDbType.Boolean, get);

    private static Column<T> Double<T>(string name, Func<T, double> get) => Bound(name, NpgsqlDbType.Double, get);

    private static Column<T> Timestamp<T>(string name, Func<T, DateTimeOffset?> get) =>
        Bound<T, DateTime?>(name, NpgsqlDbType.TimestampTz, r => get(r) is { } time ? ToDb(time) : null);

    private static Column<T> Bound<T, TValue>(string name, NpgsqlDbType type, Func<T, TValue> get) =>
        new(name, type, rows => Map(rows, get), row => get(row));

    private static TValue[] Map<T, TValue>(IReadOnlyList<T> rows, Func<T, TValue> get)
    {
        var values = new TValue[rows.Count];
        for (var i = 0; i < values.Length; i++) values[i] = get(rows[i]);
        return values;
    }
}
