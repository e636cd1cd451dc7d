using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Routines.Client;
using Routines.Silo.Storage;

namespace Routines.Silo.Telemetry;

/// <summary>
/// The instruments of the <see cref="RoutinesTelemetry.MeterName"/> meter that code records into (the gauges read the
/// dispatcher: <see cref="DispatcherGauges"/>). Names follow OpenTelemetry's conventions (dotted, unit in the unit, a
/// count's unit in braces); labels are <c>routine</c>, <c>status</c>, <c>worker</c> and <c>store</c>, all bounded
/// sets: a run id or an input never becomes a label (decision #53).
/// </summary>
internal static class RoutinesMetrics
{
    internal static readonly Meter Meter = new(RoutinesTelemetry.MeterName);

    static readonly RunStatus[] Statuses = Enum.GetValues<RunStatus>();

    /// <summary>
    /// The runs' counts, kept per routine here and read by observable counters when a reader collects: a run counted
    /// costs an increment instead of a measurement through the SDK's aggregator (decision #79).
    /// </summary>
    sealed class RunCounts
    {
        public long Submitted, CacheHits;
        public readonly long[] Finished = new long[Statuses.Length];
    }

    static readonly ConcurrentDictionary<string, RunCounts> Counts = new(StringComparer.Ordinal);

    static RunCounts CountsOf(string routine) => Counts.TryGetValue(routine, out var counts) ? counts : Counts.GetOrAdd(routine, _ => new RunCounts());

    static KeyValuePair<string, object?> RoutineTag(string routine) => new("routine", routine);

    /// <summary>One count of each routine that has one.</summary>
    static IEnumerable<Measurement<long>> PerRoutine(Func<RunCounts, long> count)
    {
        foreach (var (routine, counts) in Counts)
            if (count(counts) is > 0 and var value) yield return new(value, RoutineTag(routine));
    }

    static IEnumerable<Measurement<long>> FinishedPerRoutine()
    {
        foreach (var (routine, counts) in Counts)
            foreach (var status in Statuses)
                if (Volatile.Read(ref counts.Finished[(int)status]) is > 0 and var value)
                    yield return new(value, RoutineTag(routine), new KeyValuePair<string, object?>("status", StoredRows.Name(status)));
    }

    static readonly ObservableCounter<long> Submitted = Meter.CreateObservableCounter("routines.runs.submitted",
        () => PerRoutine(c => Volatile.Read(ref c.Submitted)), "{run}", "Runs accepted by the service, roots and workflow calls alike.");

    static readonly ObservableCounter<long> Finished = Meter.CreateObservableCounter("routines.runs.finished",
        FinishedPerRoutine, "{run}", "Runs that reached a final status.");

    static readonly ObservableCounter<long> CacheHits = Meter.CreateObservableCounter("routines.cache.hits",
        () => PerRoutine(c => Volatile.Read(ref c.CacheHits)), "{run}",
        "Runs answered from the task result cache (or from an identical run in flight) without executing.");

    static readonly Histogram<double> AttemptDuration = Meter.CreateHistogram("routines.attempt.duration", "s",
        "How long an attempt executed on its worker, by its outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] });

    static readonly Histogram<double> WaitDuration = Meter.CreateHistogram("routines.run.wait.duration", "s",
        "How long a run waited between becoming Pending and its attempt starting (time in line, and a retry's delay).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600] });

    static readonly Histogram<double> CommitDuration = Meter.CreateHistogram("routines.store.commit.duration", "s",
        "How long one batched write of the run store took to commit.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] });

    static readonly Histogram<int> BatchSize = Meter.CreateHistogram("routines.store.batch.size", "{write}",
        "How many writes one commit of the run store carried.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] });

    public static void RunSubmitted(string routine) => Interlocked.Increment(ref CountsOf(routine).Submitted);

    public static void RunFinished(string routine, RunStatus status) => Interlocked.Increment(ref CountsOf(routine).Finished[(int)status]);

    public static void CacheHit(string routine) => Interlocked.Increment(ref CountsOf(routine).CacheHits);

    public static void AttemptEnded(string routine, RunStatus status, TimeSpan duration)
    {
        if (AttemptDuration.Enabled)
            AttemptDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("routine", routine), new KeyValuePair<string, object?>("status", StoredRows.Name(status)));
    }

    public static void Waited(string routine, TimeSpan wait)
    {
        if (WaitDuration.Enabled) WaitDuration.Record(Math.Max(0, wait.TotalSeconds), new KeyValuePair<string, object?>("routine", routine));
    }

    /// <summary>The store's commit of a batch, timed and counted while anyone listens.</summary>
    public static Func<IReadOnlyList<T>, Task> TimedCommit<T>(string store, Func<IReadOnlyList<T>, Task> commit) => async batch =>
    {
        if (!CommitDuration.Enabled && !BatchSize.Enabled)
        {
            await commit(batch).ConfigureAwait(false);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await commit(batch).ConfigureAwait(false);
        }
        finally
        {
            var tag = new KeyValuePair<string, object?>("store", store);
            CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
            BatchSize.Record(batch.Count, tag);
        }
    };
}
