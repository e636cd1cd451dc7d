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
            // A run in the store before the outage, so "recovers" means its row comes back, not just an empty table.
            await page.GotoAsync($"{cluster.BaseUrl}/routines/run?id={Uri.EscapeDataString("tname:load_dataset:2.0.0")}");
            await Expect(page.Locator(".run-submit")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await page.ClickAsync(".run-submit");
            await ConsoleFixture.WaitForAddressAsync(page, ConsoleFixture.RunPage());
            await Expect(page.Locator(".mud-chip[data-status]").First).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 60_000 });
            await page.ClickAsync("a[href='runs']");
            var row = page.Locator(".runs-row", new() { HasTextString = "load_dataset" });
            await Expect(row).ToBeVisibleAsync();
            await Expect(page.Locator(".cluster-banner")).ToHaveCountAsync(0);

            await cluster.KillServiceAsync();
            await Expect(page.Locator(".cluster-banner")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(page.Locator(".cluster-banner")).ToContainTextAsync("The cluster is unreachable");
            // The banner comes from the 2 s probe; the page's own refresh may be waiting on a call that was in flight when
            // the service died, which ends at the console's 10 s call timeout.
            await Expect(page.Locator(".error-panel")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(page.Locator(".runs-empty")).ToHaveTextAsync("The runs could not be loaded.");
            await Expect(page.Locator("[data-count-status='All']")).ToHaveTextAsync("All …");
            await ConsoleFixture.ScreenshotAsync(page, "11-cluster-unreachable");

            // Every page says so in its red panel instead of crashing the circuit.
            await page.ClickAsync("a[href='workers']");
            await Expect(page.Locator("#page-title")).ToHaveTextAsync("Workers");
            await Expect(page.Locator(".error-panel")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await page.ClickAsync("a[href='runs']");
            await Expect(page.Locator("#page-title")).ToHaveTextAsync("Runs");
            await Expect(page.Locator(".error-panel")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();

            // No reload from here on: the open page must notice the service is back on its own.
            await cluster.RestartServiceAsync();
            await Expect(page.Locator(".cluster-banner")).ToHaveCountAsync(0, new() { Timeout = 90_000 });
            await Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(page.Locator(".error-panel")).ToHaveCountAsync(0);
            await Expect(page.Locator("[data-count-status='Succeeded']")).ToHaveTextAsync("Succeeded 1");
            await ConsoleFixture.ScreenshotAsync(page, "11b-cluster-recovered");

            await page.ClickAsync("a[href='workers']");
            await Expect(page.Locator("[data-worker-status]").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        }
        catch (Exception exception)
        {
            await ConsoleFixture.ScreenshotAsync(page, "failure-outage");
            throw new Exception($"{exception.Message}\n{cluster.Logs()}", exception);
        }
    }
}
