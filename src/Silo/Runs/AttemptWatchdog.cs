using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Routines.Cluster;

namespace Routines.Silo.Runs;

/// <summary>
/// Tells a run grain when its attempt is overdue: its worker has given no result by the attempt's timeout plus a grace
/// (the routine ignored its cancellation token, or the worker stopped answering). One sweep a second over the attempts
/// in flight instead of a timer per attempt, so an attempt costs two dictionary writes.
/// </summary>
internal sealed partial class AttemptWatchdog(IGrainFactory grains, TimeProvider clock, ILogger<AttemptWatchdog> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    readonly ConcurrentDictionary<string, Deadline> _attempts = new(StringComparer.Ordinal);
    readonly CancellationTokenSource _stopping = new();
    Task? _loop;

    /// <summary>Watches the run's attempt until <see cref="Forget"/>; a later attempt of the run replaces it.</summary>
    public void Watch(string runId, int attempt, TimeSpan within) => _attempts[runId] = new(attempt, clock.GetUtcNow() + within);

    /// <summary>The run's attempt ended.</summary>
    public void Forget(string runId) => _attempts.TryRemove(runId, out _);

    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe<AttemptWatchdog>(ServiceLifecycleStage.Active, StartAsync, StopAsync);

    Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is not null) await _loop;
    }

    async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(SweepInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    Sweep();
                }
                catch (Exception exception)
                {
                    // A sweep that failed (the silo stopping, say) must not end the watch over every later attempt.
                    LogSweepFailed(exception);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    void Sweep()
    {
        var now = clock.GetUtcNow();
        foreach (var (runId, deadline) in _attempts)
        {
            // Only the deadline read here: the run may have replaced it with its next attempt's meanwhile.
            if (deadline.At > now || !_attempts.TryRemove(KeyValuePair.Create(runId, deadline))) continue;
            grains.Run(runId).AttemptOverdueAsync(deadline.Attempt).Ignore();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sweep for overdue attempts failed; the next one runs in a second.")]
    partial void LogSweepFailed(Exception exception);

    readonly record struct Deadline(int Attempt, DateTimeOffset At);
}
