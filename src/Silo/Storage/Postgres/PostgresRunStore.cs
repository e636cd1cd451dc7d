using Microsoft.Extensions.Logging;
using Npgsql;
using Routines.Client;

using static Routines.Silo.Storage.StoredRows;

using Routines.Silo.Hosting;

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
internal sealed partial class PostgresRunStore : IRunStore, IAsyncDisposable
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

    private readonly CancellationTokenSource _closing = new();
    // Which marker row is this store's, and the number of the batch being written (see RecoverAsync).
    private readonly Guid _writerId = Guid.NewGuid();
    private long _batchNumber;
    private readonly HashSet<string> _unsure = new(StringComparer.Ordinal); // runs whose last write failed (the writer's loop only)

    private Batcher<PendingWrite>? _writes;
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
        if (_writes is not null) return;

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

        _writes = new Batcher<PendingWrite>(Telemetry.RoutinesMetrics.TimedCommit<PendingWrite>("postgres", CommitAsync), new BatchLimits(MaxBatchSize, MaxBatchChars, OffCallerThread: true), w => w.Size);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;

        // Writes already queued are still committed: closing only stops new ones. A server that is away is not waited for.
        var drained = _writes?.CloseAsync() ?? Task.CompletedTask;
        await _closing.CancelAsync().ConfigureAwait(false);
        await drained.ConfigureAwait(false);
        if (_writes is not null)
        {
            await ForgetMarkerAsync().ConfigureAwait(false);
            await DropWriterAsync().ConfigureAwait(false);
        }

        _closing.Dispose();
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await _writerSource.DisposeAsync().ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- opening and schema

    public Task CheckAsync(CancellationToken cancellationToken = default) => CheckMigratedAsync(cancellationToken);

    /// <summary>With <see cref="PostgresRunStoreOptions.MigrateOnStart"/> off, and for readiness: the database must hold every migration this build knows.</summary>
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
        // Three runs, one for each statement that writes runs: a new run, a stored one (no row: nothing to change), and
        // one whose stored status is read from its row.
        var rows = new WriteRows(unsure: [id + "-read"]);
        foreach (var (runId, stored) in new[] { (id, (RunStatus?)null), (id + "-stored", RunStatus.Pending), (id + "-read", RunStatus.Pending) })
        {
            rows.SaveRun(new RunInfo
            {
                RunId = runId, RoutineId = "tname:probe:0.0.0", RoutineName = "probe", RoutineVersion = "0.0.0", Kind = RoutineKind.Task,
                InputJson = "{}", RootRunId = runId, CreatedAt = now,
            }, stored);
        }
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
        if (_writes is null)
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
}
