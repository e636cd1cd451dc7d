using System.Runtime.CompilerServices;
using Routines.Cluster;

namespace Routines.Client;

/// <summary>The <see cref="IRoutinesClient"/> over Orleans grains.</summary>
public sealed class RoutinesClient(IGrainFactory grains) : IRoutinesClient
{
    /// <summary>Below Orleans' 30 s response timeout, so a long-poll never times out as a call.</summary>
    static readonly TimeSpan PollWindow = TimeSpan.FromSeconds(20);

    IRunQueryGrain Queries => grains.GetGrain<IRunQueryGrain>(0);

    IDispatcherGrain Dispatcher => grains.Dispatcher();

    public async Task<RunHandle> SubmitAsync(string routineId, string inputJson, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (runId, request) = NewRun(routineId, inputJson, options);
        await grains.Run(runId).SubmitAsync(request).WaitAsync(cancellationToken);
        return new RunHandle(this, runId);
    }

    public async Task<RunInfo> ExecuteAsync(string routineId, string inputJson, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (runId, request) = NewRun(routineId, inputJson, options);
        var run = await grains.Run(runId).ExecuteAsync(request, PollWindow).WaitAsync(cancellationToken);
        return run.Status.IsTerminal() ? run : await WaitAsync(runId, cancellationToken);
    }

    /// <summary>A fresh run id and the request that starts the run; a task may not start runs.</summary>
    static (string RunId, RunRequest Request) NewRun(string routineId, string inputJson, CallOptions? options)
    {
        ExecutionScope.ThrowIfInTask(routineId);
        return (NewRunId(), new RunRequest { RoutineId = routineId, InputJson = inputJson, Options = options });
    }

    public async Task<RunHandle> RetryAsync(string runId, CancellationToken cancellationToken = default)
    {
        var run = await GetRunAsync(runId, cancellationToken) ?? throw new InvalidOperationException($"There is no run {runId} to retry.");
        return await SubmitAsync(run.RoutineId, run.InputJson, run.Options, cancellationToken);
    }

    public Task<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
        => grains.Run(runId).GetAsync().WaitAsync(cancellationToken);

    public Task CancelAsync(string runId, string reason = "cancelled by a user", CancellationToken cancellationToken = default)
        => grains.Run(runId).CancelAsync(reason).WaitAsync(cancellationToken);

    public async Task<RunInfo> WaitAsync(string runId, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var run = await grains.Run(runId).WaitAsync(PollWindow).WaitAsync(cancellationToken)
                      ?? throw new InvalidOperationException($"There is no run {runId}.");
            if (run.Status.IsTerminal()) return run;
        }
    }

    public Task<RunPage> ListRunsAsync(RunFilter filter, CancellationToken cancellationToken = default)
        => Queries.ListRunsAsync(filter).WaitAsync(cancellationToken);

    public Task<IReadOnlyList<RunInfo>> ListChildrenAsync(string runId, CancellationToken cancellationToken = default)
        => Queries.ListChildrenAsync(runId).WaitAsync(cancellationToken);

    public Task<IReadOnlyList<RunLogLine>> GetLogsAsync(string runId, long afterSequence = 0, int limit = 1000, CancellationToken cancellationToken = default)
        => Queries.GetLogsAsync(runId, afterSequence, limit).WaitAsync(cancellationToken);

    public async IAsyncEnumerable<RunLogLine> FollowLogsAsync(string runId, long afterSequence = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A stream broken by a silo restart resumes from the last line seen.
        var last = afterSequence;
        while (true)
        {
            var enumerator = Queries.FollowLogsAsync(runId, last).WithCancellation(cancellationToken).GetAsyncEnumerator();
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
        => Queries.GetMetricsAsync(runId).WaitAsync(cancellationToken);

    public Task<IReadOnlyList<RunEvent>> GetHistoryAsync(string runId, CancellationToken cancellationToken = default)
        => Queries.GetHistoryAsync(runId).WaitAsync(cancellationToken);

    public Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync(CancellationToken cancellationToken = default)
        => Dispatcher.ListWorkersAsync().WaitAsync(cancellationToken);

    public Task<IReadOnlyList<RoutineDescriptor>> ListRoutinesAsync(CancellationToken cancellationToken = default)
        => Dispatcher.ListRoutinesAsync().WaitAsync(cancellationToken);

    /// <summary>Time-ordered, so ids sort by submission.</summary>
    internal static string NewRunId() => Guid.CreateVersion7().ToString("N");
}
