using static Microsoft.Playwright.Assertions;

namespace Routines.Ui.Tests.EndToEnd;

/// <summary>The console against a PostgreSQL cluster (service, worker and console all on AdoNet clustering).</summary>
public sealed class PostgresConsoleTests(PostgresConsoleFixture cluster) : IClassFixture<PostgresConsoleFixture>
{
    [Fact]
    public async Task OnAPostgresCluster_TheConsoleListsWorkers_AndRunsTheSampleFromTheForm()
    {
        var page = await cluster.LoggedInPageAsync();
        try
        {
            await page.ClickAsync("a[href='workers']");
            await Expect(page.Locator("[data-worker-status]").First).ToBeVisibleAsync(new() { Timeout = 60_000 });

            await cluster.SubmitSampleWorkflowAsync(page, ("epochs", 20));
            await Expect(page.Locator(".mud-chip[data-status]").First).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 60_000 });
            await Expect(page.Locator(".log-line", new() { HasTextString = "Leaderboard" })).ToBeVisibleAsync();
            await ConsoleFixture.ScreenshotAsync(page, "12-postgres-run-detail");
        }
        catch (Exception exception)
        {
            throw new Exception($"{exception.Message}\n{cluster.Logs()}", exception);
        }
    }
}
