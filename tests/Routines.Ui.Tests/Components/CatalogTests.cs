using Bunit;
using Routines.Client;
using Catalog = Routines.Ui.Components.Pages.Catalog.RoutineCatalog;

namespace Routines.Ui.Tests.Components;

public sealed class CatalogTests : ConsoleTestContext
{
    [Fact]
    public void ARoutine_ShowsItsPriorityAndConcurrencyLimits_BesideItsOtherPolicies()
    {
        Client.Routines.Add(new RoutineDescriptor
        {
            Id = RoutineId.Parse("tname:train_model:1.0.0"), InputSchema = "{}", OutputSchema = "{}", InputType = "In", OutputType = "Out",
            Retry = new RetryPolicy(), Timeout = TimeSpan.FromMinutes(5), Cache = true, Priority = 10,
            Limits = [new ConcurrencyLimit(4), new ConcurrencyLimit(1, "model")],
        });

        var cut = Render<Catalog>();

        cut.WaitForAssertion(() => Assert.Equal(
            "3 attempt(s) · timeout 5 min 0 s · cached · priority 10 · at most 4 at once · at most 1 at once per model",
            cut.Find(".routine-policies").TextContent.Trim()));
    }

    [Fact]
    public void ATrigger_IsShownOnBothRoutines()
    {
        static RoutineDescriptor Routine(string id, params TriggerDescriptor[] triggers) => new()
        {
            Id = RoutineId.Parse(id), InputSchema = "{}", OutputSchema = "{}", InputType = "In", OutputType = "Out",
            Retry = new RetryPolicy(), Timeout = TimeSpan.FromMinutes(5), Cache = true, Triggers = triggers,
        };
        Client.Routines.Add(Routine("tname:train_model:1.0.0", new TriggerDescriptor("alert", "train_model", "send_alert", [RunStatus.Failed, RunStatus.TimedOut])));
        Client.Routines.Add(Routine("tname:send_alert:1.0.0"));

        var cut = Render<Catalog>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".routine-triggers")));
        Assert.Equal("then send_alert when a run ends Failed or TimedOut (trigger alert)", cut.Find(".routine-triggers").TextContent.Trim());
        Assert.Equal("after a run of train_model ends Failed or TimedOut (trigger alert)", cut.Find(".routine-triggered-by").TextContent.Trim());
    }
}
