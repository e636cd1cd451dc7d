using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Routines.Cluster;
using Routines.Worker.Catalog;
using Routines.Worker.Execution;

namespace Routines.Hosting;

/// <summary>
/// Announces this worker to the dispatcher and keeps reporting (slots, routines, running attempts) every
/// <see cref="Interval"/>. On shutdown the worker turns TERMINATING: it takes no new runs, lets running ones finish
/// for <see cref="WorkerOptions.ShutdownGrace"/>, and hands the rest back to be dispatched elsewhere.
/// </summary>
internal sealed partial class WorkerHeartbeats(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    RoutineRegistry registry,
    Executions executions,
    IOptions<WorkerOptions> options,
    IOptions<ClusterOptions> cluster,
    ILogger<WorkerHeartbeats> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    readonly CancellationTokenSource _stopping = new();
    Task? _loop;
    volatile bool _terminating;

    public string WorkerId => silo.SiloAddress.ToParsableString();

    /// <summary>For the readiness check: null while the service knows this worker and it takes runs, else why not.</summary>
    public string? NotServing => _terminating ? "the worker is TERMINATING: it takes no new runs"
        : _loop is null ? "the worker has not registered with the service yet" : null;

    public void Participate(ISiloLifecycle lifecycle)
    {
        // Announce INITIALIZING as soon as the silo is in the cluster, ready (IDLE) once it is fully started.
        lifecycle.Subscribe<WorkerHeartbeats>(ServiceLifecycleStage.BecomeActive + 1, _ => TrySendAsync(initializing: true), _ => Task.CompletedTask);
        lifecycle.Subscribe<WorkerHeartbeats>(ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    /// <summary>
    /// Registers before the silo reports started, so a run submitted right after finds this worker. A joining silo may
    /// not know the service's grains for a moment (the cluster manifest propagates), so the first beat is retried.
    /// </summary>
    async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                if (await SendAsync().WaitAsync(cancellationToken) is { } refused) throw new WorkerRefusedException(refused);
                break;
            }
            catch (Exception exception) when (exception is not (OperationCanceledException or WorkerRefusedException) && DateTime.UtcNow < deadline)
            {
                LogHeartbeatFailed(exception.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }

        _loop = Task.Run(LoopAsync, CancellationToken.None);
    }

    async Task StopAsync(CancellationToken cancellationToken)
    {
        _terminating = true;
        executions.StopAccepting();
        await TrySendAsync();
        var grace = options.Value.ShutdownGrace;
        LogTerminating(executions.Count, grace.TotalSeconds);
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(grace);
            await executions.WaitIdleAsync(deadline.Token);
        }

        if (executions.Count > 0) await executions.HandBackAllAsync();
        await _stopping.CancelAsync();
        if (_loop is not null) await _loop;
        await TrySendAsync();
    }

    async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token)) await TrySendAsync();
        }
        catch (OperationCanceledException) { }
    }

    async Task TrySendAsync(bool initializing = false)
    {
        try
        {
            if (await SendAsync(initializing) is { } refused) LogRefused(refused);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The service may be restarting: keep running and report again at the next beat.
            LogHeartbeatFailed(exception.Message);
        }
    }

    /// <summary>Reports; null when the dispatcher took the report, else why it refuses this worker.</summary>
    Task<string?> SendAsync(bool initializing = false) => grains.Dispatcher().HeartbeatAsync(new WorkerHeartbeat(
        WorkerId, silo.Name, options.Value.Slots, registry.Descriptors, executions.Running(), _terminating, initializing,
        executions.Abandoned(), cluster.Value.ServiceId));

    /// <summary>The service refuses this worker: its start fails with the reason, and the worker command exits.</summary>
    sealed class WorkerRefusedException(string reason) : Exception(reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The service refuses this worker: {Reason}")]
    partial void LogRefused(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat to the service failed ({Reason}); retrying.")]
    partial void LogHeartbeatFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Terminating: waiting up to {Grace} s for {Running} running attempts.")]
    partial void LogTerminating(int running, double grace);
}
