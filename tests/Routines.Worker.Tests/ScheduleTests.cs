using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Routines.Client;
using Routines.Serialization;
using Routines.Testing;
using Routines.Tests.Shared;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

/// <summary>Schedules on a test clock: ticks, overlap policies, catch-up, pause, declared schedules and bad schedules.</summary>
public sealed class ScheduleTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EveryTenSeconds_ForAMinute_StartsOneRunPerTick_NamedByItsTick()
    {
        var (clock, env) = await StartAsync();
        await using var _ = env;
        var created = await env.Client.SaveScheduleAsync(new Schedule
        {
            Name = "every-ten", RoutineId = "add", InputJson = """{"a":1,"b":2}""", Every = TimeSpan.FromSeconds(10), Overlap = ScheduleOverlap.AllowAll,
        });
        var expected = created.NextTicks.Take(5).Append(created.NextTicks[4].AddSeconds(10)).ToList();
        Assert.All(expected, t => Assert.Equal(0, t.ToUnixTimeMilliseconds() % 10_000));
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < 6; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            await Eventually.TrueAsync(async () => (await env.Client.ListScheduleTicksAsync("every-ten")).Count == i + 1, Patience, $"tick {i + 1}");
        }

        var ticks = await env.Client.ListScheduleTicksAsync("every-ten");
        Assert.Equal(expected, ticks.Select(t => t.TickAt).Reverse());
        Assert.All(ticks, t => Assert.Equal(ScheduleTickOutcome.Started, t.Outcome));
        foreach (var tick in ticks)
        {
            Assert.Equal($"schedule-every-ten-{tick.TickAt.UtcDateTime:yyyyMMdd't'HHmmss'z'}", tick.RunId);
            Assert.Equal(RunStatus.Succeeded, (await env.Client.WaitAsync(tick.RunId!)).Status);
        }

        var info = (await env.Client.GetScheduleAsync("every-ten"))!;
        Assert.Equal(expected[^1], info.LastTick);
        Assert.Equal(ticks[0].RunId, info.LastRunId);
        Assert.Equal(expected[^1].AddSeconds(10), info.NextTicks[0]);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"a minute of schedule took {watch.Elapsed}");
    }

    [Fact]
    public async Task AfterAnOutage_TicksInsideTheCatchUpWindowStart_OlderOnesAreRecordedAsSkipped()
    {
        var (clock, env) = await StartAsync();
        await using var _ = env;
        await env.Client.SaveScheduleAsync(new Schedule
        {
            Name = "catching-up", RoutineId = "add", InputJson = """{"a":1,"b":1}""", Every = TimeSpan.FromMinutes(10),
            CatchUpWindow = TimeSpan.FromMinutes(30), Overlap = ScheduleOverlap.AllowAll,
        });

        // Two hours pass at once, as they would for a service that was down: twelve ticks are due when it wakes.
        clock.Advance(TimeSpan.FromHours(2));
        var now = clock.GetUtcNow();
        await Eventually.TrueAsync(async () => (await env.Client.ListScheduleTicksAsync("catching-up")).Count == 4, Patience, "the catch-up");

        var ticks = (await env.Client.ListScheduleTicksAsync("catching-up")).Reverse().ToList();
        var skipped = Assert.Single(ticks, t => t.Outcome == ScheduleTickOutcome.Skipped);
        Assert.Equal(9, skipped.Count);
        Assert.True(skipped.LastTickAt < now - TimeSpan.FromMinutes(30));
        Assert.Contains("catch-up window", skipped.Reason);
        var started = ticks.Where(t => t.Outcome == ScheduleTickOutcome.Started).ToList();
        Assert.Equal(3, started.Count);
        Assert.All(started, t => Assert.True(t.TickAt >= now - TimeSpan.FromMinutes(30) && t.TickAt <= now));
        Assert.Equal(skipped.LastTickAt!.Value.AddMinutes(10), started[0].TickAt);
    }

    [Fact]
    public async Task Overlap_Skip_SkipsTheTickWhileThePreviousRunGoes()
    {
        await using var gate = await GateScheduleAsync("skipping", ScheduleOverlap.Skip);

        var second = await gate.TickAsync(2);

        Assert.Equal(ScheduleTickOutcome.Skipped, second.Outcome);
        Assert.Equal($"run {gate.First.RunId} was still going", second.Reason);
        await gate.ReleaseAsync(gate.First);
        Assert.Equal(ScheduleTickOutcome.Started, (await gate.TickAsync(3)).Outcome);
    }

    [Fact]
    public async Task Overlap_BufferOne_StartsOneWaitingTickWhenThePreviousRunEnds_AndSkipsTheRest()
    {
        await using var gate = await GateScheduleAsync("buffering", ScheduleOverlap.BufferOne);

        gate.Clock.Advance(TimeSpan.FromMinutes(1)); // buffered: nothing recorded yet
        await Eventually.TrueAsync(async () => (await gate.Env.Client.GetScheduleAsync("buffering"))!.BufferedTick is not null, Patience, "the buffered tick");
        var waiting = (await gate.Env.Client.GetScheduleAsync("buffering"))!.BufferedTick!.Value;
        var third = await gate.TickAsync(2);
        Assert.Equal(ScheduleTickOutcome.Skipped, third.Outcome);
        Assert.Contains("already waits", third.Reason);

        await gate.ReleaseAsync(gate.First);
        gate.Clock.Advance(TimeSpan.FromSeconds(1)); // the buffered tick looks at its run every second
        var started = await Eventually.ReturnsAsync(
            async () => (await gate.Env.Client.ListScheduleTicksAsync("buffering")).FirstOrDefault(t => t.TickAt == waiting), Patience, "the buffered tick's start");
        Assert.Equal(ScheduleTickOutcome.Started, started.Outcome);
        Assert.Equal(RunStatus.Succeeded, (await gate.Env.Client.WaitAsync(started.RunId!)).Status);
    }

    [Fact]
    public async Task Overlap_CancelPrevious_CancelsTheRunStillGoing()
    {
        await using var gate = await GateScheduleAsync("replacing", ScheduleOverlap.CancelPrevious);

        var second = await gate.TickAsync(2);

        var cancelled = await gate.Env.Client.WaitAsync(gate.First.RunId!);
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        Assert.Contains("cancelled by schedule replacing", cancelled.Error?.Message);
        Assert.Equal(ScheduleTickOutcome.Started, second.Outcome);
        Assert.NotEqual(gate.First.RunId, second.RunId);
        Assert.Equal(RunStatus.Succeeded, (await gate.ReleaseAsync(second)).Status);
    }

    [Fact]
    public async Task Overlap_AllowAll_StartsEveryTick()
    {
        await using var gate = await GateScheduleAsync("allowing", ScheduleOverlap.AllowAll);

        var second = await gate.TickAsync(2);

        Assert.Equal(ScheduleTickOutcome.Started, second.Outcome);
        Assert.False((await gate.Env.Client.GetRunAsync(gate.First.RunId!))!.Status.IsTerminal());
        Assert.Equal(RunStatus.Succeeded, (await gate.ReleaseAsync(second)).Status);
    }

    [Fact]
    public async Task ASchedulesNewTiming_StartsFromNow_WithoutCatchingUpTheTicksItWouldHaveHad()
    {
        var (clock, env) = await StartAsync(new DateTimeOffset(2026, 6, 1, 1, 0, 0, TimeSpan.Zero)); // the 6 h ticks are at 00:00 and 06:00
        await using var _ = env;
        await env.Client.SaveScheduleAsync(new Schedule { Name = "retimed", RoutineId = "add", InputJson = """{"a":4,"b":4}""", Every = TimeSpan.FromHours(6) });
        clock.Advance(TimeSpan.FromMinutes(30));

        var changed = await env.Client.SaveScheduleAsync(new Schedule
        {
            Name = "retimed", RoutineId = "add", InputJson = """{"a":4,"b":4}""", Every = TimeSpan.FromMinutes(1), Overlap = ScheduleOverlap.AllowAll,
        });
        clock.Advance(TimeSpan.FromMinutes(1));

        var tick = await Eventually.ReturnsAsync(async () => (await env.Client.ListScheduleTicksAsync("retimed")).FirstOrDefault(), Patience, "the first tick");
        await Task.Delay(200);
        Assert.Single(await env.Client.ListScheduleTicksAsync("retimed")); // not the 30 ticks the new interval had since its creation
        Assert.Equal(changed.NextTicks[0], tick.TickAt);
    }

    [Fact]
    public async Task APausedSchedule_StartsNothing_AndResumedStartsAtItsNextTick()
    {
        var (clock, env) = await StartAsync();
        await using var _ = env;
        await env.Client.SaveScheduleAsync(new Schedule { Name = "pausing", RoutineId = "add", InputJson = """{"a":2,"b":2}""", Every = TimeSpan.FromMinutes(1) });

        var paused = (await env.Client.PauseScheduleAsync("pausing"))!;
        clock.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(200);

        Assert.True(paused.Paused);
        Assert.Empty(paused.NextTicks);
        Assert.Empty(await env.Client.ListScheduleTicksAsync("pausing"));
        var resumed = (await env.Client.ResumeScheduleAsync("pausing"))!;
        Assert.False(resumed.Paused);
        Assert.True(resumed.NextTicks[0] > clock.GetUtcNow());
        clock.Advance(TimeSpan.FromMinutes(1));
        var tick = await Eventually.ReturnsAsync(async () => (await env.Client.ListScheduleTicksAsync("pausing")).FirstOrDefault(), Patience, "the tick after the resume");
        Assert.Equal(resumed.NextTicks[0], tick.TickAt);
        Assert.Null(await env.Client.PauseScheduleAsync("no-such-schedule"));
    }

    [Fact]
    public async Task ACronSchedule_TicksInItsTimeZone()
    {
        var (_, env) = await StartAsync(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero));
        await using var __ = env;

        // Paris moves to summer time on 29 March 2026: 03:00 is 02:00 UTC the day before and 01:00 UTC the day after.
        var info = await env.Client.SaveScheduleAsync(new Schedule
        {
            Name = "nightly", RoutineId = "add", InputJson = """{"a":1,"b":1}""", Cron = "0 3 * * *", TimeZone = "Europe/Paris",
        });

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), info.NextTicks[0]);
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 1, 0, 0, TimeSpan.Zero), info.NextTicks[1]);
    }

    [Fact]
    public async Task ARemovedSchedule_StartsNothingMore_AndItsRunsStay()
    {
        var (clock, env) = await StartAsync();
        await using var _ = env;
        await env.Client.SaveScheduleAsync(new Schedule { Name = "removed", RoutineId = "add", InputJson = """{"a":3,"b":3}""", Every = TimeSpan.FromMinutes(1) });
        var tick = await TickAsync(clock, env, "removed", 1);

        Assert.True(await env.Client.RemoveScheduleAsync("removed"));
        clock.Advance(TimeSpan.FromMinutes(3));
        await Task.Delay(200);

        Assert.Null(await env.Client.GetScheduleAsync("removed"));
        Assert.DoesNotContain(await env.Client.ListSchedulesAsync(), s => s.Schedule.Name == "removed");
        Assert.NotNull(await env.Client.GetRunAsync(tick.RunId!));
        Assert.Single((await env.Client.ListRunsAsync(new RunFilter { Search = "schedule-removed-" })).Runs);
        Assert.False(await env.Client.RemoveScheduleAsync("removed"));
    }

    [Fact]
    public async Task AScheduleDeclaredOnARoutine_IsCreatedWhenItsWorkerJoins()
    {
        var (_, env) = await StartAsync(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        await using var __ = env;

        var declared = await Eventually.ReturnsAsync(() => env.Client.GetScheduleAsync("yearly_report"), Patience, "the declared schedule");

        Assert.True(declared.Declared);
        Assert.Equal("0 0 1 1 *", declared.Schedule.Cron);
        Assert.Equal(ScheduleOverlap.BufferOne, declared.Schedule.Overlap);
        Assert.Equal("Europe/Paris", declared.Schedule.TimeZone);
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 23, 0, 0, TimeSpan.Zero), declared.NextTicks[0]); // midnight in Paris
    }

    [Theory]
    [InlineData("Bad Name", "add", """{"a":1,"b":1}""", "0 3 * * *", "UTC", "A schedule's name must be 1 to 100 lowercase letters")]
    [InlineData("bad-cron", "add", """{"a":1,"b":1}""", "0 25 * * *", "UTC", "Schedule.Cron '0 25 * * *' is not a cron expression")]
    [InlineData("bad-zone", "add", """{"a":1,"b":1}""", "0 3 * * *", "Mars/Olympus", "Schedule.TimeZone 'Mars/Olympus' is not a time zone")]
    [InlineData("bad-json", "add", """{"a":1,""", "0 3 * * *", "UTC", "Schedule.InputJson is not JSON")]
    public async Task AnInvalidSchedule_IsRefusedWithWhatIsWrong(string name, string routine, string input, string cron, string zone, string expected)
    {
        var (_, env) = await StartAsync();
        await using var __ = env;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => env.Client.SaveScheduleAsync(new Schedule
        {
            Name = name, RoutineId = routine, InputJson = input, Cron = cron, TimeZone = zone,
        }));

        Assert.Contains(expected, error.Message);
        Assert.Empty(await env.Client.ListSchedulesAsync().ContinueWith(t => t.Result.Where(s => !s.Declared).ToList()));
    }

    [Fact]
    public async Task AScheduleOfAnUnknownRoutineOrAnInputThatDoesNotFit_IsRefusedByTheService()
    {
        var (_, env) = await StartAsync();
        await using var __ = env;

        var unknown = await Assert.ThrowsAsync<RoutineNotFoundException>(() => env.Client.SaveScheduleAsync(
            new Schedule { Name = "unknown", RoutineId = "ad", Every = TimeSpan.FromMinutes(1) }));
        var misfit = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => env.Client.SaveScheduleAsync(
            new Schedule { Name = "misfit", RoutineId = "add", InputJson = """{"a":"one","b":1}""", Every = TimeSpan.FromMinutes(1) }));
        var both = await Assert.ThrowsAsync<ArgumentException>(() => env.Client.SaveScheduleAsync(
            new Schedule { Name = "both", RoutineId = "add", Cron = "* * * * *", Every = TimeSpan.FromMinutes(1) }));

        Assert.Contains("Did you mean add", unknown.Message);
        Assert.Contains("$.a", misfit.Message);
        Assert.Contains("either Cron or Every", both.Message);
        Assert.DoesNotContain(await env.Client.ListSchedulesAsync(), s => !s.Declared);
    }

    static async Task<ScheduleTick> TickAsync(FakeTimeProvider clock, RoutineTestEnvironment env, string schedule, int count)
    {
        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(async () => (await env.Client.ListScheduleTicksAsync(schedule)).Count >= count, Patience, $"tick {count} of {schedule}");
        return (await env.Client.ListScheduleTicksAsync(schedule))[0];
    }

    /// <summary>A schedule of the gate routine each minute, its first tick's run started and held until released.</summary>
    static async Task<GateSchedule> GateScheduleAsync(string name, ScheduleOverlap overlap)
    {
        var (clock, executions) = (new FakeTimeProvider(DateTimeOffset.UtcNow), new Executions());
        var env = await RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(executions), clock: clock);
        await env.Client.SaveScheduleAsync(new Schedule
        {
            Name = name, RoutineId = "gate", InputJson = JsonSerializer.Serialize(new KeyInput(name), RoutineJson.Default),
            Every = TimeSpan.FromMinutes(1), Overlap = overlap,
        });
        var first = await TickAsync(clock, env, name, 1);
        Assert.Equal(ScheduleTickOutcome.Started, first.Outcome);
        await executions.StartedSignal(name).Task.WaitAsync(Patience);
        return new GateSchedule(clock, env, executions, name, first);
    }

    sealed record GateSchedule(FakeTimeProvider Clock, RoutineTestEnvironment Env, Executions Executions, string Name, ScheduleTick First) : IAsyncDisposable
    {
        public Task<ScheduleTick> TickAsync(int count) => ScheduleTests.TickAsync(Clock, Env, Name, count);

        /// <summary>Lets every held run of the schedule end, and waits for the given tick's.</summary>
        public Task<RunInfo> ReleaseAsync(ScheduleTick tick)
        {
            Executions.ReleaseSignal(Name).TrySetResult();
            return Env.Client.WaitAsync(tick.RunId!);
        }

        public ValueTask DisposeAsync()
        {
            Executions.ReleaseSignal(Name).TrySetResult();
            return Env.DisposeAsync();
        }
    }

    static async Task<(FakeTimeProvider, RoutineTestEnvironment)> StartAsync(DateTimeOffset? start = null)
    {
        var clock = new FakeTimeProvider(start ?? DateTimeOffset.UtcNow);
        return (clock, await RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(new Executions()), clock: clock));
    }

}
