using Microsoft.Extensions.DependencyInjection;
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
    public void ATriggeredRun_LinksToTheRunWhoseEndStartedIt()
    {
        Client.Runs.Add(FakeRoutinesClient.Run("train-1-then-evaluate", "evaluate_model", RunStatus.Succeeded, DateTimeOffset.UtcNow)
            with { Cause = new RunCause("evaluate", "train-1", "train_model", RunStatus.Succeeded) });

        var cut = Render<Routines.Ui.Components.Pages.RunDetail.RunDetail>(p => p.Add(x => x.RunId, "train-1-then-evaluate"));

        cut.WaitForAssertion(() => Assert.Contains("trigger evaluate, when run train-1 of train_model ended Succeeded", cut.Find(".run-cause").TextContent));
        Assert.Equal("runs/train-1", cut.Find(".run-cause a").GetAttribute("href"));
    }

    [Fact]
    public void AnOperator_MayCancelARunningRun_AViewerSeesNoCancelOrRetry()
    {
        Client.Runs.Add(FakeRoutinesClient.Run("running-1", "train_model", RunStatus.Running, DateTimeOffset.UtcNow));
        Client.Runs.Add(FakeRoutinesClient.Run("failed-1", "train_model", RunStatus.Failed, DateTimeOffset.UtcNow));
        var running = Render<Routines.Ui.Components.Pages.RunDetail.RunDetail>(p => p.Add(x => x.RunId, "running-1"));
        running.WaitForAssertion(() => Assert.Single(running.FindAll(".cancel-run")));

        Authorization.SetRoles(nameof(Routines.Ui.Security.ConsoleRole.Viewer));
        Authorization.SetPolicies();
        foreach (var runId in new[] { "running-1", "failed-1" })
        {
            var watched = Render<Routines.Ui.Components.Pages.RunDetail.RunDetail>(p => p.Add(x => x.RunId, runId));
            watched.WaitForAssertion(() => Assert.Contains("train_model", watched.Find("#page-title").TextContent));
            Assert.Empty(watched.FindAll(".cancel-run"));
            Assert.Empty(watched.FindAll(".retry-run"));
        }
    }

    /// <summary>Hiding the buttons is not the check: the console's data layer refuses a viewer's action itself.</summary>
    [Fact]
    public async Task AViewer_IsRefusedLaunchingCancellingAndRetrying_WithTheRoleItNeeds()
    {
        Client.Runs.Add(FakeRoutinesClient.Run("running-2", "train_model", RunStatus.Running, DateTimeOffset.UtcNow));
        var data = Services.GetRequiredService<Routines.Ui.Services.ConsoleData>();
        var viewer = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.Name, "watcher"), new(System.Security.Claims.ClaimTypes.Role, "Viewer")], "test"));

        var submit = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => data.SubmitAsync(viewer, "train_model", "{}"));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => data.CancelAsync(viewer, "running-2"));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => data.RetryAsync(viewer, "running-2"));

        Assert.Equal("watcher is a viewer: launching a run needs the operator role.", submit.Message);
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
            TimeSpan.FromMinutes(20), Cache: false, ExecutionPolicy.PreferLocal, Priority: -3);
        Client.Runs.Add(FakeRoutinesClient.Run("policy-1", "train_model", RunStatus.Running, DateTimeOffset.UtcNow) with { Policy = policy });

        var cut = Render<Routines.Ui.Components.Pages.RunDetail.RunDetail>(p => p.Add(x => x.RunId, "policy-1"));

        cut.WaitForAssertion(() => Assert.Equal(
            "4 attempts, backoff 2.0 s ×2 up to 1 min 0 s · 5 worker losses · timeout 20 min 0 s · not cached · preferlocal · priority -3",
            cut.Find(".run-policy").TextContent));
    }
}
