using Routines.Client;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Cluster;

// A schedule through kill -9 of the service: each tick has at most one run, and each is accounted for.
public sealed partial class FailoverTests
{
    [Fact]
    public async Task AScheduleEverySecond_ThroughTwoServiceKills_StartsEachTickInTheCatchUpWindowOnce_AndRecordsOlderOnesAsSkipped()
    {
        using var worker = await StartReadyWorkerAsync("schedule-a", slots: 4);
        var name = $"every-second-{Key()}";
        var window = TimeSpan.FromSeconds(2);
        var created = await cluster.Client.SaveScheduleAsync(new Schedule
        {
            Name = name, RoutineId = "step", InputJson = Json(new { key = name, milliseconds = 1 }), Every = TimeSpan.FromSeconds(1),
            CatchUpWindow = window, Overlap = ScheduleOverlap.AllowAll,
        });

        await Task.Delay(TimeSpan.FromSeconds(15));
        await RestartServiceAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(15));
        await RestartServiceAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(created.CreatedAt + TimeSpan.FromMinutes(1) - DateTimeOffset.UtcNow);
        await cluster.Client.PauseScheduleAsync(name);

        var ticks = (await cluster.Client.ListScheduleTicksAsync(name, 1000)).Reverse().ToList();
        foreach (var t in ticks) output.WriteLine($"{t.TickAt:HH:mm:ss} {t.Outcome} ×{t.Count} {t.RunId} {t.Reason}");

        // Every second from the first tick to the last is accounted for once: started, or in one skipped range.
        var seconds = ticks.SelectMany(t => Enumerable.Range(0, t.Count).Select(i => t.TickAt.AddSeconds(i))).ToList();
        Assert.Equal(seconds.Count, seconds.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, seconds.Count).Select(i => ticks[0].TickAt.AddSeconds(i)), seconds.Order());
        Assert.True(seconds[^1] - ticks[0].TickAt >= TimeSpan.FromSeconds(50), $"ticks only up to {seconds[^1]:HH:mm:ss}");

        // Both outages were longer than the window: each left ticks skipped, said to be older than it.
        var skipped = ticks.Where(t => t.Outcome == ScheduleTickOutcome.Skipped).ToList();
        Assert.True(skipped.Count >= 2, $"{skipped.Count} skipped ranges");
        Assert.All(skipped, t => Assert.Contains("catch-up window", t.Reason));

        // Each started tick has its run, which ran once; no run exists for a tick not recorded as started.
        var started = ticks.Where(t => t.Outcome == ScheduleTickOutcome.Started).ToList();
        Assert.DoesNotContain(ticks, t => t.Outcome == ScheduleTickOutcome.Failed);
        foreach (var tick in started) Assert.Equal(RunStatus.Succeeded, (await cluster.Client.WaitAsync(tick.RunId!)).Status);
        var runs = await cluster.Client.ListRunsAsync(new RunFilter { Search = $"schedule-{name}-", Take = 200 });
        Assert.Equal(started.Select(t => t.RunId).Order(), runs.Runs.Select(r => r.RunId).Order());
        Assert.Equal(started.Count, cluster.Executions().GetValueOrDefault(name));
    }
}
