using Bunit;
using Routines.Client;
using WorkersPage = Routines.Ui.Components.Pages.Workers.Workers;

namespace Routines.Ui.Tests.Components;

public sealed class WorkersPageTests : ConsoleTestContext
{
    [Fact]
    public void AWorkerWithAbandonedAttemptsStillRunning_ShowsHowManyAndTheirRoutines()
    {
        var now = DateTimeOffset.UtcNow;
        Client.Workers.Add(new WorkerInfo("w1", "alpha", WorkerStatus.Working, 2, 1, 0, ["tname:train_model:1.0.0"], now,
            Abandoned: ["tname:train_model:1.0.0", "tname:train_model:1.0.0", "tname:load_dataset:1.0.0"]));
        Client.Workers.Add(new WorkerInfo("w2", "beta", WorkerStatus.Idle, 2, 0, 0, ["tname:load_dataset:1.0.0"], now));

        var cut = Render<WorkersPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".workers-abandoned")));
        Assert.Equal("3 abandoned still running: tname:train_model:1.0.0 ×2, tname:load_dataset:1.0.0",
            cut.Find(".workers-abandoned").TextContent.Trim());
    }
}
