using Bunit;
using Routines.Client;
using SchedulesPage = Routines.Ui.Components.Pages.Schedules.Schedules;

namespace Routines.Ui.Tests.Components;

public sealed class SchedulesPageTests : ConsoleTestContext
{
    static ScheduleInfo Nightly(bool paused = false) => new()
    {
        Schedule = new Schedule { Name = "nightly", RoutineId = "train_model", Cron = "0 3 * * *", TimeZone = "Europe/Paris", Overlap = ScheduleOverlap.BufferOne },
        Paused = paused, Declared = true, LastRunId = "schedule-nightly-20261204t020000z",
        NextTicks = paused ? [] : [new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 7, 2, 0, 0, TimeSpan.Zero)],
    };

    [Fact]
    public void ASchedule_ShowsWhenItTicks_ItsState_ItsLastRun_AndItsNextTicks()
    {
        Client.Schedules.Add(Nightly());

        var cut = Render<SchedulesPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".schedules-table tbody tr")));
        Assert.Equal("0 3 * * * (Europe/Paris)", cut.Find(".schedule-row-when").TextContent.Trim());
        Assert.Contains("declared", cut.Find(".schedule-row-name").TextContent);
        Assert.Equal("active", cut.Find("[data-schedule-state]").GetAttribute("data-schedule-state"));
        Assert.Equal("runs/schedule-nightly-20261204t020000z", cut.Find(".schedule-row-last-run").GetAttribute("href"));
        Assert.Equal(2, cut.FindAll(".schedule-row-next div").Count);
        Assert.Contains("start it after", cut.Markup);
    }

    [Fact]
    public void PausingASchedule_ShowsItPaused_WithNoNextTicks()
    {
        Client.Schedules.Add(Nightly());
        var cut = Render<SchedulesPage>();
        cut.WaitForAssertion(() => cut.Find(".schedule-pause-nightly"));

        cut.Find(".schedule-pause-nightly").Click();

        cut.WaitForAssertion(() => Assert.Equal("paused", cut.Find("[data-schedule-state]").GetAttribute("data-schedule-state")));
        Assert.True(Client.Schedules.Single().Paused);
        cut.Find(".schedule-resume-nightly"); // the button now resumes
    }

    [Fact]
    public void TheTicks_ShowStartedRunsAndSkippedRanges_WithWhy()
    {
        Client.Schedules.Add(Nightly());
        var at = new DateTimeOffset(2026, 12, 4, 2, 0, 0, TimeSpan.Zero);
        Client.Ticks.Add(new ScheduleTick(at, ScheduleTickOutcome.Started, "schedule-nightly-20261204t020000z", null, at));
        Client.Ticks.Add(new ScheduleTick(at.AddDays(-3), ScheduleTickOutcome.Skipped, null,
            "missed while the service was down, longer ago than the catch-up window (01:00:00)", at, 2, at.AddDays(-2)));
        var cut = Render<SchedulesPage>();
        cut.WaitForAssertion(() => cut.Find(".schedule-ticks-nightly"));

        cut.Find(".schedule-ticks-nightly").Click();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".schedule-ticks tbody tr").Count));
        var skipped = cut.Find("tr[data-tick-outcome=skipped]");
        Assert.Contains("(2 ticks)", skipped.TextContent);
        Assert.Contains("catch-up window", skipped.TextContent);
        Assert.Equal("runs/schedule-nightly-20261204t020000z", cut.Find("tr[data-tick-outcome=started] a").GetAttribute("href"));
    }

    [Fact]
    public void AViewer_SeesTheSchedules_ButNoFormAndNoButtonsThatChangeThem()
    {
        Authorization.SetRoles("Viewer");
        Authorization.SetPolicies();
        Client.Schedules.Add(Nightly());

        var cut = Render<SchedulesPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".schedules-table tbody tr")));
        Assert.Empty(cut.FindAll(".schedule-form"));
        Assert.Empty(cut.FindAll(".schedule-pause-nightly"));
        Assert.Empty(cut.FindAll(".schedule-remove-nightly"));
        Assert.Single(cut.FindAll(".schedule-ticks-nightly"));
    }
}
