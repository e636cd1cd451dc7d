using static Microsoft.Playwright.Assertions;

namespace Routines.Ui.Tests.EndToEnd;

/// <summary>The console survives the service going away: a banner, no crash, and recovery when it returns.</summary>
public sealed class ClusterOutageTests(ConsoleFixture cluster) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task ServiceDown_ShowsTheUnreachableBanner_AndTheConsoleRecoversWhenItReturns()
    {
        var page = await cluster.LoggedInPageAsync();
        try
        {
            await Expect(page.Locator(".runs-table")).ToBeVisibleAsync();
            await Expect(page.Locator(".cluster-banner")).ToHaveCountAsync(0);

            await cluster.KillServiceAsync();
            await Expect(page.Locator(".cluster-banner")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await ConsoleFixture.ScreenshotAsync(page, "11-cluster-unreachable");

            await cluster.RestartServiceAsync();
            await Expect(page.Locator(".cluster-banner")).ToHaveCountAsync(0, new() { Timeout = 90_000 });
            await page.ReloadAsync();
            await Expect(page.Locator(".runs-table")).ToBeVisibleAsync();
            await page.ClickAsync("a[href='workers']");
            await Expect(page.Locator("[data-worker-status]").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        }
        catch (Exception exception)
        {
            throw new Xunit.Sdk.XunitException($"{exception.Message}\n{cluster.Logs()}");
        }
    }
}
