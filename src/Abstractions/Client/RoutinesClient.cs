using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Routines.Cluster;

namespace Routines.Client;

/// <summary>The <see cref="IRoutinesClient"/> over Orleans grains.</summary>
/// <param name="grains">The cluster client (or a silo's grain factory).</param>
/// <param name="outageTolerance">
/// How long reads, waits, cancels and keyed submits are repeated while the service is away (restarting, or its database
/// is): two minutes when not given. A program that shows the outage itself (the console) passes zero.
/// </param>
internal sealed class RoutinesClient(IGrainFactory grains, TimeSpan? outageTolerance = null) : IRoutinesClient
{
    readonly TimeSpan _outageTolerance = outageTolerance ?? ServiceOutage.ClientTolerance;

    /// <summary>Below Orleans' 30 s response timeout, so a long-poll never times out as a call.</summary>
    static readonly TimeSpan PollWindow = TimeSpan.FromSeconds(20);

    IRunQueryGrain Queries => grains.GetGrain<IRunQueryGrain>(0);

    /// <summary>A grain of its own for each stream opened (and each resumption of one).</summary>
    IRunStreamGrain NewStream() => grains.GetGrain<IRunStreamGrain>(Guid.NewGuid());

    IDispatcherGrain Dispatcher => grains.Dispatcher();

    public async Task<RunHandle> SubmitAsync(string routineId, string inputJson, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (runId, request, span) = NewRun(routineId, inputJson, options);
        using var _ = span;
        // Only a keyed submit is sent again after a failure: a plain one that did land would start a second run.
        if (options?.IdempotencyKey is null) await grains.Run(runId).SubmitAsync(request).WaitAsync(cancellationToken);
        else await ServiceOutage.RepeatAsync(_outageTolerance, () => grains.Run(runId).SubmitAsync(request), cancellationToken);
        return new RunHandle(this, runId);
    }

    public async Task<RunInfo> ExecuteAsync(string routineId, string inputJson, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (runId, request, span) = NewRun(routineId, inputJson, options);
        RunInfo run;
        using (span)
        {
            run = options?.IdempotencyKey is null
                ? await grains.Run(runId).ExecuteAsync(request, PollWindow).WaitAsync(cancellationToken)
                : await ServiceOutage.RepeatAsync(_outageTolerance, () => grains.Run(runId).ExecuteAsync(request, PollWindow), cancellationToken);
        }

        return run.Status.IsTerminal() ? run : await WaitAsync(runId, cancellationToken);
    }

    /// <summary>
    /// The run id (fresh, or the key's), the request that starts the run, and the submit's span (null when nobody
    /// traces), which the run's own span is a child of. A task may not start runs.
    /// </summary>
    static (string RunId, RunRequest Request, Activity? Span) NewRun(string routineId, string inputJson, CallOptions? options)
    {
        ExecutionScope.ThrowIfInTask(routineId);
        var runId = options?.IdempotencyKey is { } key ? KeyedRunId(key) : NewRunId();
        var span = RoutinesTelemetry.Start("submit", routineId, ActivityKind.Client, traceParent: null);
        span?.SetTag("routines.routine", routineId);
        span?.SetTag("routines.run.id", runId);
        return (runId, new RunRequest { RoutineId = routineId, InputJson = inputJson, Options = options, TraceParent = RoutinesTelemetry.CurrentTraceParent }, span);
    }

    /// <summary>The run id an idempotency key stands for: any text, hashed to a fixed-length id.</summary>
    internal static string KeyedRunId(string key) => "key" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];

    public async Task<RunHandle> RetryAsync(string runId, CancellationToken cancellationToken = default)
    {
        var run = await GetRunAsync(runId, cancellationToken) ?? throw new InvalidOperationException($"There is no run {runId} to retry.");
        return await SubmitAsync(run.RoutineId, run.InputJson, run.Options, cancellationToken);
    }

    public Task<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => grains.Run(runId).GetAsync(), cancellationToken);

    public Task CancelAsync(string runId, string reason = "cancelled by a user", CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, async () => { await grains.Run(runId).CancelAsync(reason); return true; }, cancellationToken);

    public async Task<RunInfo> WaitAsync(string runId, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var run = await ServiceOutage.RepeatAsync(_outageTolerance, () => grains.Run(runId).WaitAsync(PollWindow), cancellationToken)
                      ?? throw new InvalidOperationException($"There is no run {runId}.");
            if (run.Status.IsTerminal()) return run;
        }
    }

    public Task<RunPage> ListRunsAsync(RunFilter filter, CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => Queries.ListRunsAsync(filter), cancellationToken);

    public Task<IReadOnlyList<RunInfo>> ListChildrenAsync(string runId, CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => Queries.ListChildrenAsync(runId), cancellationToken);

    public Task<IReadOnlyList<RunLogLine>> GetLogsAsync(string runId, long afterSequence = 0, int limit = 1000, CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => Queries.GetLogsAsync(runId, afterSequence, limit), cancellationToken);

    public async IAsyncEnumerable<RunLogLine> FollowLogsAsync(string runId, long afterSequence = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A stream broken by a silo restart resumes from the last line seen.
        var last = afterSequence;
        while (true)
        {
            var enumerator = NewStream().FollowLogsAsync(runId, last).WithCancellation(cancellationToken).GetAsyncEnumerator();
            try
            {
                while (true)
                {
                    RunLogLine line;
                    try
                    {
                        if (!await enumerator.MoveNextAsync()) yield break;
                        line = enumerator.Current;
                    }
                    catch (Exception exception) when (exception is EnumerationAbortedException or OrleansMessageRejectionException && !cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    last = line.Sequence;
                    yield return line;
                }
            }
            finally
            {
                await enumerator.DisposeAsync();
            }
        }
    }

    public Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(string runId, CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => Queries.GetMetricsAsync(runId), cancellationToken);

    public Task<IReadOnlyList<RunEvent>> GetHistoryAsync(string runId, CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => Queries.GetHistoryAsync(runId), cancellationToken);

    public Task<IReadOnlyList<RunArtifact>> ListArtifactsAsync(string runId, CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => Queries.ListArtifactsAsync(runId), cancellationToken);

    public Task<IReadOnlyList<RunArtifact>> GetLineageAsync(string artifactHash, CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => Queries.GetLineageAsync(artifactHash), cancellationToken);

    public async Task<Stream> OpenArtifactAsync(string artifactHash, CancellationToken cancellationToken = default)
    {
        if (!Artifact.IsHash(artifactHash))
            throw new ArgumentException($"'{artifactHash}' is not an artifact hash: it is \"sha256:\" and 64 lowercase hex digits.", nameof(artifactHash));
        var stream = new ChunkedStream(offset => NewStream().ReadArtifactAsync(artifactHash, offset), cancellationToken);
        await stream.StartAsync(); // the first chunk, so a missing artifact fails here, not at the first read
        return stream;
    }

    public Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync(CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => Dispatcher.ListWorkersAsync(), cancellationToken);

    public Task<IReadOnlyList<RoutineDescriptor>> ListRoutinesAsync(CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => Dispatcher.ListRoutinesAsync(), cancellationToken);

    /// <summary>Time-ordered, so ids sort by submission.</summary>
    internal static string NewRunId() => Guid.CreateVersion7().ToString("N");

    public Task<ScheduleInfo> SaveScheduleAsync(Schedule schedule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (schedule.Problem() is { } problem) throw new ArgumentException(problem, nameof(schedule));
        return ServiceOutage.RepeatAsync(_outageTolerance, () => grains.Scheduler().SaveAsync(schedule), cancellationToken);
    }

    public Task<IReadOnlyList<ScheduleInfo>> ListSchedulesAsync(CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => grains.Scheduler().ListAsync(), cancellationToken);

    public Task<ScheduleInfo?> GetScheduleAsync(string name, CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => grains.Scheduler().GetAsync(name), cancellationToken);

    public Task<ScheduleInfo?> PauseScheduleAsync(string name, CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => grains.Scheduler().SetPausedAsync(name, true), cancellationToken);

    public Task<ScheduleInfo?> ResumeScheduleAsync(string name, CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => grains.Scheduler().SetPausedAsync(name, false), cancellationToken);

    public Task<bool> RemoveScheduleAsync(string name, CancellationToken cancellationToken = default)
        => ServiceOutage.RepeatAsync(_outageTolerance, () => grains.Scheduler().RemoveAsync(name), cancellationToken);

    public Task<IReadOnlyList<ScheduleTick>> ListScheduleTicksAsync(string name, int take = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(take);
        return ServiceOutage.RepeatAsync(_outageTolerance, () => grains.Scheduler().ListTicksAsync(name, Math.Min(take, 1000)), cancellationToken);
    }
}
