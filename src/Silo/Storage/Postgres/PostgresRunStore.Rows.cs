using System.Data.Common;
using System.Text;
using Routines.Client;

using static Routines.Silo.Storage.StoredRows;

namespace Routines.Silo.Storage.Postgres;

/// <summary>Tables, columns and values: how a record becomes a row and back.</summary>
internal sealed partial class PostgresRunStore
{
    /// <summary>The columns of <c>runs</c>, in the order <see cref="ReadRun"/> reads them.</summary>
    private static readonly Column<RunInfo>[] RunColumns = [
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
        Text<RunInfo>("policy_json", r => ToJson(r.Policy)),
        Text<RunInfo>("trace_parent", r => r.TraceParent),
        Text<RunInfo>("cause_json", r => ToJson(r.Cause))];

    /// <summary>What a save can change in a stored run (its status and what goes with it); the rest is fixed at submit.</summary>
    private static readonly string[] ChangingColumns = [
        "status", "attempt", "max_attempts", "output_json", "error_json", "parent_attempt", "started_at", "finished_at", "worker",
        "cached_from_run_id", "wait_reason", "progress_current", "progress_total", "progress_message", "progress_updated_at"];

    /// <summary>Runs whose stored status is read from their locked rows, writing them keeps the counts (decision #73).</summary>
    private static readonly Table<RunInfo> Runs = new("runs", ["run_id"], OnConflict.Replace, RunColumns, KeepingCounts);

    /// <summary>Runs their grains know to be new; one already stored fails the batch, which is then written by <see cref="Runs"/>.</summary>
    private static readonly Table<RunInfo> NewRuns = new("runs", ["run_id"], OnConflict.Refuse, RunColumns);

    /// <summary>Stored runs, as their grains know them: only the columns a save can change (decision #76).</summary>
    private static readonly Table<RunInfo> RunChanges = Table<RunInfo>.Update("runs", RunColumns[0], [.. RunColumns.Where(c => ChangingColumns.Contains(c.Name))]);

    /// <summary>How many runs each (routine, status, root) gained or lost, in key order, added to <c>run_counts</c>.</summary>
    private static readonly Table<CountChange> CountChanges = new("run_counts", ["routine_name", "status", "root"], OnConflict.Add, [
        Text<CountChange>("routine_name", c => c.Routine),
        Text<CountChange>("status", c => c.Status),
        Boolean<CountChange>("root", c => c.Root),
        Bigint<CountChange>("runs", c => c.Runs)]);

    /// <summary>Runs of a routine in a status, root runs or not, gained (or, negative, lost) in one batch.</summary>
    private readonly record struct CountChange(string Routine, string Status, bool Root, long Runs);

    /// <summary>
    /// The runs' upsert, keeping <c>run_counts</c> in the same statement (decision #73): a replaced run keeps the status it
    /// had in <c>previous_status</c> (null for a new run), and each written run counts up under its status and down
    /// under the one it left. Counts are upserted in key order, so two writers never lock them in opposite orders. The
    /// upsert (<see cref="OnConflict.Replace"/>) ends with its <c>DO UPDATE SET</c> list, which this extends.
    /// </summary>
    private static string KeepingCounts(string upsert) => $"""
        WITH written AS ({upsert}, previous_status = runs.status
                         RETURNING routine_name, status, parent_run_id IS NULL AS root, previous_status)
        INSERT INTO run_counts AS c (routine_name, status, root, runs)
        SELECT routine_name, status, root, sum(change) FROM (
            SELECT routine_name, status, root, 1 AS change FROM written
            UNION ALL
            SELECT routine_name, previous_status, root, -1 FROM written WHERE previous_status IS NOT NULL) AS changes
        GROUP BY 1, 2, 3 HAVING sum(change) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (routine_name, status, root) DO UPDATE SET runs = c.runs + excluded.runs
        """;

    private static readonly Table<RunEvent> Events = new("run_events", [], OnConflict.Append, [
        Text<RunEvent>("run_id", e => e.RunId),
        Timestamp<RunEvent>("ts", e => e.Timestamp),
        Text<RunEvent>("status", e => Name(e.Status)),
        Integer<RunEvent>("attempt", e => e.Attempt),
        Text<RunEvent>("worker", e => e.Worker),
        Text<RunEvent>("reason", e => e.Reason)]);

    // A log line sent twice (a retried call) is kept once: sequence numbers identify lines.
    private static readonly Table<RunLogLine> Logs = new("run_logs", ["run_id", "seq"], OnConflict.Ignore, [
        Text<RunLogLine>("run_id", l => l.RunId),
        Bigint<RunLogLine>("seq", l => l.Sequence),
        Timestamp<RunLogLine>("ts", l => l.Timestamp),
        Integer<RunLogLine>("level", l => (int)l.Level),
        Text<RunLogLine>("message", l => l.Message),
        Integer<RunLogLine>("attempt", l => l.Attempt)]);

    private static readonly Table<MetricPoint> Metrics = new("run_metrics", [], OnConflict.Append, [
        Text<MetricPoint>("run_id", p => p.RunId),
        Text<MetricPoint>("name", p => p.Name),
        Bigint<MetricPoint>("step", p => p.Step),
        Double<MetricPoint>("value", p => p.Value),
        Timestamp<MetricPoint>("ts", p => p.Timestamp)]);

    private static readonly Table<CacheEntry> Cache = new("task_cache", ["key"], OnConflict.Replace, [
        Text<CacheEntry>("key", c => c.Key),
        Text<CacheEntry>("routine_id", c => c.RoutineId),
        Text<CacheEntry>("output_json", c => c.OutputJson),
        Text<CacheEntry>("run_id", c => c.RunId),
        Timestamp<CacheEntry>("created_at", c => c.CreatedAt)]);

    private static readonly string RunColumnList = string.Join(", ", RunColumns.Select(c => c.Name));

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
}
