using Routines.Cluster;

namespace Routines.Client;

/// <summary>The <see cref="IRoutinesClient"/> over Orleans grains.</summary>
public sealed class RoutinesClient(IGrainFactory grains) : IRoutinesClient
{
    /// <summary>Below Orleans' 30 s response timeout, so a long-poll never times out as a call.</summary>
    static readonly TimeSpan PollWindow = TimeSpan.FromSeconds(20);

    public async Task<RunHandle> SubmitAsync(string routineId, string inputJson, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ExecutionScope.ThrowIfInTask(routineId);
        var runId = NewRunId();
        await grains.GetGrain<IRunGrain>(runId).SubmitAsync(new RunRequest { RoutineId = routineId, InputJson = inputJson, Options = options })
            .WaitAsync(cancellationToken);
        return new RunHandle(this, runId);
    }

    public Task<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
        => grains.GetGrain<IRunGrain>(runId).GetAsync().WaitAsync(cancellationToken);

    public Task CancelAsync(string runId, string reason = "cancelled by a user", CancellationToken cancellationToken = default)
        => grains.GetGrain<IRunGrain>(runId).CancelAsync(reason).WaitAsync(cancellationToken);

    public async Task<RunInfo> WaitAsync(string runId, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var run = await grains.GetGrain<IRunGrain>(runId).WaitAsync(PollWindow).WaitAsync(cancellationToken)
                      ?? throw new InvalidOperationException($"There is no run {runId}.");
            if (run.Status.IsTerminal()) return run;
        }
    }

    /// <summary>Time-ordered, so ids sort by submission.</summary>
    internal static string NewRunId() => Guid.CreateVersion7().ToString("N");
}
