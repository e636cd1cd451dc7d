using Bunit;
using Routines.Client;

namespace Routines.Ui.Tests.Components;

public sealed class RunDetailTests : ConsoleTestContext
{
    [Fact]
    public void PendingRun_SaysWhyItWaits()
    {
        var waiting = FakeRoutinesClient.Run("pending-1", "train_model", RunStatus.Pending, DateTimeOffset.UtcNow)
            with { WaitReason = "all 2 capable workers are busy, 7 ahead" };
        Client.Runs.Add(waiting);

        var cut = Render<Routines.Ui.Components.Pages.RunDetail.RunDetail>(p => p.Add(x => x.RunId, "pending-1"));

        cut.WaitForAssertion(() => Assert.Contains("all 2 capable workers are busy, 7 ahead", cut.Find(".wait-reason").TextContent));
    }

    [Fact]
    public void SucceededRun_ShowsNoWaitReason()
    {
        Client.Runs.Add(FakeRoutinesClient.Run("done-1", "train_model", RunStatus.Succeeded, DateTimeOffset.UtcNow));

        var cut = Render<Routines.Ui.Components.Pages.RunDetail.RunDetail>(p => p.Add(x => x.RunId, "done-1"));

        cut.WaitForAssertion(() => Assert.Contains("train_model", cut.Markup));
        Assert.Empty(cut.FindAll(".wait-reason"));
    }
}
