using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Routines.Silo.Runs;

/// <summary>
/// Sweeps every <see cref="RetentionOptions.SweepInterval"/> (runs, then the records of schedule ticks older than runs are kept, then the artifacts no kept run references) (the first a minute after the service is active, not in
/// the middle of its recovery), off the grain scheduler; a failed sweep is logged and tried again at the next one.
/// </summary>
internal sealed partial class RetentionSweeper(
    RetentionSweep sweep, Artifacts.ArtifactSweep artifacts, Scheduling.IScheduleStore schedules, RetentionOptions options, TimeProvider clock, ILogger<RetentionSweeper> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    static readonly TimeSpan FirstSweepAfter = TimeSpan.FromMinutes(1);

    readonly CancellationTokenSource _stopping = new();
    Task? _loop;

    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe<RetentionSweeper>(ServiceLifecycleStage.Active, _ =>
    {
        if (options.SweepInterval > TimeSpan.Zero) _loop = Task.Run(LoopAsync);
        return Task.CompletedTask;
    }, async _ =>
    {
        await _stopping.CancelAsync();
        if (_loop is not null) await _loop;
    });

    async Task LoopAsync()
    {
        try
        {
            await Task.Delay(options.SweepInterval < FirstSweepAfter ? options.SweepInterval : FirstSweepAfter, clock, _stopping.Token);
            while (true)
            {
                try
                {
                    await sweep.RunAsync(_stopping.Token);
                    await schedules.ForgetTicksAsync(clock.GetUtcNow() - options.Runs, _stopping.Token);
                    await artifacts.RunAsync(_stopping.Token);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogSweepFailed(exception.Message);
                }

                await Task.Delay(options.SweepInterval, clock, _stopping.Token);
            }
        }
        catch (OperationCanceledException) { }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The retention sweep failed ({Reason}); it is tried again at the next interval.")]
    partial void LogSweepFailed(string reason);
}
