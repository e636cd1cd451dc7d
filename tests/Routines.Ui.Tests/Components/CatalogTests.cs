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
}
