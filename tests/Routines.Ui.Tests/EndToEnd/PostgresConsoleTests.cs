using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Routines.Ui.Tests.EndToEnd;

/// <summary>The console against a PostgreSQL cluster (service, worker and console all on AdoNet clustering).</summary>
public sealed partial class PostgresConsoleTests(PostgresConsoleFixture cluster) : IClassFixture<PostgresConsoleFixture>
{
    [Fact]
    public async Task OnAPostgresCluster_TheConsoleListsWorkers_AndRunsTheSampleFromTheForm()
    {
        var page = await cluster.LoggedInPageAsync();
        try
        {
            await page.ClickAsync("a[href='workers']");
            await Expect(page.Locator("[data-worker-status]").First).ToBeVisibleAsync(new() { Timeout = 60_000 });

            await page.GotoAsync($"{cluster.BaseUrl}/routines/run?id={Uri.EscapeDataString("wfname:train_and_pick_model:1.0.0")}");
            await Expect(page.Locator("input[data-path='$.epochs']")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await page.Locator("input[data-path='$.epochs']").FillAsync("20");
            await page.ClickAsync(".run-submit");
            await page.WaitForURLAsync(RunPage());
            await Expect(page.Locator(".mud-chip[data-status]").First).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 60_000 });
            await Expect(page.Locator(".log-line", new() { HasTextString = "Leaderboard" })).ToBeVisibleAsync();
            await ConsoleFixture.ScreenshotAsync(page, "12-postgres-run-detail");
        }
        catch (Exception exception)
        {
            throw new Exception($"{exception.Message}\n{cluster.Logs()}", exception);
        }
    }

    [GeneratedRegex(@"/runs/[0-9a-f]{32}$")]
    private static partial Regex RunPage();
}
