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

    [Fact]
    public void ARun_ShowsThePolicyItRunsUnder()
    {
        var policy = new RunPolicy(new RetryPolicy { MaxAttempts = 4, InitialDelay = TimeSpan.FromSeconds(2), MaxWorkerLosses = 5 },
            TimeSpan.FromMinutes(20), Cache: false, ExecutionPolicy.PreferLocal);
        Client.Runs.Add(FakeRoutinesClient.Run("policy-1", "train_model", RunStatus.Running, DateTimeOffset.UtcNow) with { Policy = policy });

        var cut = Render<Routines.Ui.Components.Pages.RunDetail.RunDetail>(p => p.Add(x => x.RunId, "policy-1"));

        cut.WaitForAssertion(() => Assert.Equal(
            "4 attempts, backoff 2.0 s ×2 up to 1 min 0 s · 5 worker losses · timeout 20 min 0 s · not cached · preferlocal",
            cut.Find(".run-policy").TextContent));
    }
}
