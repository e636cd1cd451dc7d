using System.Text;
using System.Net;
using Routines.Silo.Hosting;
using Routines.Tests.Shared;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Routines.Ui.Tests.EndToEnd;

/// <summary>The console in Chromium against a real service and sample worker.</summary>
public sealed class ConsoleEndToEndTests(ConsoleFixture cluster) : IClassFixture<ConsoleFixture>
{
    /// <summary>docs/cluster.md's client program is samples/ClientApp, verbatim, and it works against a real service.</summary>
    [Fact]
    public async Task TheDocumentedClientProgram_SubmitsTheSampleWorkflow_FollowsItsLog_AndPrintsItsResult()
    {
        var program = await File.ReadAllTextAsync(Path.Combine(BuildOutput.RepositoryRoot, "samples/ClientApp/Program.cs"));
        var docs = await File.ReadAllTextAsync(Path.Combine(BuildOutput.RepositoryRoot, "docs/cluster.md"));
        Assert.Contains("<!-- samples/ClientApp/Program.cs -->\n```csharp\n" + program + "```", docs);

        using var client = TestProcess.Start(BuildOutput.Dll("samples/ClientApp", "ClientApp.dll"), BuildOutput.RepositoryRoot, [],
            new Dictionary<string, string> { ["Routines__Cluster__GatewayEndpoint"] = cluster.GatewayEndpoint }, "client");
        var exitCode = await client.WaitForExitAsync(TimeSpan.FromMinutes(3));

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{client.Stdout}{client.Stderr}");
        Assert.Matches(@"run \w+ submitted", client.Stdout);
        Assert.Contains("Leaderboard", client.Stdout); // the workflow's own log, followed live
        Assert.Matches("Succeeded: \\{\"dataset\":\"iris\"", client.Stdout);
    }

    /// <summary>samples/python/run_sample.py: Python's standard library alone submits, follows and gets the result over HTTP.</summary>
    [SkippableFact]
    public async Task ThePythonSample_SubmitsTheSampleWorkflow_FollowsItsLog_AndPrintsItsResult()
    {
        var python = PythonPath();
        Skip.If(python is null, "python3 is not on PATH (.ci/run installs it): the Python sample's test needs it.");
        var script = Path.Combine(BuildOutput.RepositoryRoot, "samples/python/run_sample.py");

        using var client = TestProcess.StartProgram(python!, BuildOutput.RepositoryRoot, [script],
            new Dictionary<string, string> { ["ROUTINES_SERVER"] = cluster.ApiServer }, "python");
        var exitCode = await client.WaitForExitAsync(TimeSpan.FromMinutes(3));

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{client.Stdout}{client.Stderr}");
        var submitted = Regex.Match(client.Stdout, @"run (\w+) submitted");
        Assert.True(submitted.Success, client.Stdout);
        Assert.Contains("Leaderboard", client.Stdout); // the workflow's own log, over Server-Sent Events
        Assert.Matches("succeeded: \\{\"dataset\": \"iris\"", client.Stdout);

        // The log it printed is the run's whole log, each line once.
        var printed = client.Stdout.Split('\n').Count(l => l.Contains("Leaderboard"));
        Assert.Equal(1, printed);

        // Somewhere nothing listens: one line and the command line's exit code 6, no traceback.
        using var unreachable = TestProcess.StartProgram(python!, BuildOutput.RepositoryRoot, [script],
            new Dictionary<string, string> { ["ROUTINES_SERVER"] = $"http://127.0.0.1:{FreePort.Next()}" }, "python-unreachable");
        Assert.Equal(6, await unreachable.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.StartsWith("cannot reach the Routines service at", unreachable.Stderr);
        Assert.DoesNotContain("Traceback", unreachable.Stderr);
    }

    static string? PythonPath()
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "python3")).FirstOrDefault(File.Exists);

    [Fact]
    public async Task AViewer_SeesTheCatalogWithoutRunButtons_AndTheRunFormRefusesThem()
    {
        var page = await cluster.LoggedInPageAsync(ConsoleFixture.ViewerName);
        try
        {
            // Outside Development the sign-in cookie is Secure even on plain HTTP (a browser keeps it for loopback only).
            var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "routines.console");
            Assert.True(cookie.Secure && cookie.HttpOnly, $"secure {cookie.Secure}, httponly {cookie.HttpOnly}");

            await page.ClickAsync("a[href='routines']");
            await Expect(page.Locator("td", new() { HasText = "train_and_pick_model" }).First).ToBeVisibleAsync(new() { Timeout = 60_000 });
            Assert.Equal(0, await page.Locator(".run-train_and_pick_model").CountAsync());

            await page.GotoAsync($"{cluster.BaseUrl}/routines/run?id=train_and_pick_model");
            await Expect(page.Locator(".not-allowed")).ToContainTextAsync($"{ConsoleFixture.ViewerName} may not open this page");
            Assert.Equal(0, await page.Locator(".run-submit").CountAsync());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>An admin makes an API token in the console, it works at once with its scope, and revoking it ends it.</summary>
    [Fact]
    public async Task TheTokensPage_IsAnAdminsOnly_AndATokenMadeThereWorks_UntilRevoked()
    {
        var operatorPage = await cluster.LoggedInPageAsync();
        try
        {
            Assert.Equal(0, await operatorPage.Locator(".nav-tokens").CountAsync());
            await operatorPage.GotoAsync($"{cluster.BaseUrl}/tokens");
            await Expect(operatorPage.Locator(".not-allowed")).ToBeVisibleAsync();
        }
        finally
        {
            await operatorPage.Context.CloseAsync();
        }

        var page = await cluster.LoggedInPageAsync(ConsoleFixture.AdminName);
        using var api = new HttpClient { BaseAddress = new Uri($"{cluster.ApiServer}/api/v1/") };
        try
        {
            await page.ClickAsync(".nav-tokens");
            await page.Locator(".token-name input").FillAsync("console-made");
            await page.ClickAsync(".token-create");
            var secret = (await page.Locator(".token-secret").InnerTextAsync()).Trim();
            Assert.StartsWith("rtk_", secret);
            await Expect(page.Locator(".token-row-name", new() { HasText = "console-made" })).ToBeVisibleAsync();

            // A read token: it lists runs, and may not start one.
            api.DefaultRequestHeaders.Authorization = new("Bearer", secret);
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("runs?take=1")).StatusCode);
            using var submit = await api.PostAsync("runs", new StringContent("""{"routine": "load_dataset", "input": {"name": "iris"}}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Forbidden, submit.StatusCode);

            await page.ClickAsync(".revoke-console-made");
            await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
            await Expect(page.Locator(".token-row-revoked").First).Not.ToBeEmptyAsync();
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("runs?take=1")).StatusCode);
        }
        finally
        {
            await page.Context.CloseAsync();
            // No active token leaves the loopback API open again for the other tests (after its 2 s recheck).
            await Task.Delay(TimeSpan.FromSeconds(2.5));
        }
    }

    /// <summary>An admin adds a user who signs in; a new role and then the removal reach that user's open session.</summary>
    [Fact]
    public async Task TheUsersPage_AddsAUserWhoSignsIn_AndARoleChangeAndRemovalReachTheirSession()
    {
        const string newbie = "newbie", password = "a passphrase long enough";
        var admin = await cluster.LoggedInPageAsync(ConsoleFixture.AdminName);
        IPage? user = null;
        try
        {
            await admin.ClickAsync(".nav-users");
            await Expect(admin.Locator(".users-table")).ToContainTextAsync(ConsoleFixture.UserName); // configured users are listed

            // A configured user's name is refused, with the reason.
            await admin.Locator(".user-name input").FillAsync(ConsoleFixture.UserName);
            await admin.Locator(".user-password input").FillAsync(password);
            await admin.ClickAsync(".user-add");
            await Expect(admin.Locator(".error-panel")).ToContainTextAsync("from the console's configuration already");

            await admin.Locator(".user-name input").FillAsync(newbie);
            await admin.Locator(".user-password input").FillAsync(password);
            await admin.ClickAsync(".user-add");
            await Expect(admin.Locator($".user-role-{newbie}")).ToHaveTextAsync("viewer"); // the form's default role
            await admin.ClickAsync($".make-operator-{newbie}");
            await Expect(admin.Locator($".user-role-{newbie}")).ToHaveTextAsync("operator");

            user = await cluster.LoggedInPageAsync(newbie, password);
            await user.GotoAsync($"{cluster.BaseUrl}/routines");
            await Expect(user.Locator(".run-train_and_pick_model")).ToBeVisibleAsync(new() { Timeout = 60_000 });

            await admin.ClickAsync($".make-viewer-{newbie}");
            await Expect(admin.Locator($".user-role-{newbie}")).ToHaveTextAsync("viewer");
            await Task.Delay(TimeSpan.FromSeconds(1.5)); // the console rechecks a managed user every second here
            await user.GotoAsync($"{cluster.BaseUrl}/routines");
            await Expect(user.Locator("td", new() { HasText = "train_and_pick_model" }).First).ToBeVisibleAsync(new() { Timeout = 60_000 });
            Assert.Equal(0, await user.Locator(".run-train_and_pick_model").CountAsync());

            await admin.ClickAsync($".remove-{newbie}");
            await admin.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
            await Expect(admin.Locator(".users-table")).Not.ToContainTextAsync(newbie);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await user.GotoAsync($"{cluster.BaseUrl}/runs");
            await ConsoleFixture.WaitForAddressAsync(user, ConsoleFixture.LoginPage());
        }
        finally
        {
            await admin.Context.CloseAsync();
            if (user is not null) await user.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task RunForm_LaunchesTheSampleWorkflow_AndItsLogProgressTreeAndMetricsShowLive()
    {
        var page = await cluster.LoggedInPageAsync();
        try
        {
            await Expect(page.Locator(".runs-table")).ToBeVisibleAsync();
            await ConsoleFixture.ScreenshotAsync(page, "01-runs");

            // The catalog fills once the worker has joined.
            await page.ClickAsync("a[href='routines']");
            await Expect(page.Locator(".run-train_and_pick_model")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await ConsoleFixture.ScreenshotAsync(page, "02-routines");

            await page.ClickAsync(".run-train_and_pick_model");
            var epochs = page.Locator("input[data-path='$.epochs']");
            await Expect(epochs).ToHaveValueAsync("100");
            await page.Locator("input[data-path='$.seed']").FillAsync("7");
            await epochs.FillAsync("400");
            await ConsoleFixture.ScreenshotAsync(page, "03-run-form");
            await page.ClickAsync(".run-submit");

            // The run's page: log lines and progress arrive while it runs.
            await ConsoleFixture.WaitForAddressAsync(page, ConsoleFixture.RunPage());
            await Expect(page.Locator("#page-title")).ToHaveTextAsync("train_and_pick_model");
            // The workflow's own log is its leaderboard, written last; a busy machine (the cancel test's training
            // winding down) may take longer than the default 5 s to get there.
            await Expect(page.Locator(".tree-node")).Not.ToHaveCountAsync(1, new() { Timeout = 60_000 });
            await Expect(page.Locator(".log-line", new() { HasTextString = "Leaderboard" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await Expect(page.Locator(".mud-chip[data-status]").First).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 60_000 });
            await Expect(page.Locator(".tree-node")).ToHaveCountAsync(1 + 3 + 6 + 12);
            await ConsoleFixture.ScreenshotAsync(page, "04-run-detail-workflow");

            // Open a training task from the tree: its metric charts.
            await page.Locator("a.tree-link", new() { HasTextString = "train_model" }).First.ClickAsync();
            await Expect(page.Locator("#page-title")).ToHaveTextAsync("train_model");
            await Expect(page.Locator(".metric-chart[data-metric='loss'] svg").First).ToBeVisibleAsync();
            await Expect(page.Locator(".metric-chart[data-metric='train_accuracy']")).ToBeVisibleAsync();
            await ConsoleFixture.ScreenshotAsync(page, "05-run-detail-task-metrics");

            await page.ClickAsync("a[href='workers']");
            await Expect(page.Locator("[data-worker-status]").First).ToBeVisibleAsync();
            await ConsoleFixture.ScreenshotAsync(page, "06-workers");

            await page.ClickAsync("a[href='runs']");
            await Expect(page.Locator(".runs-row").First).ToBeVisibleAsync();
            await ConsoleFixture.ScreenshotAsync(page, "07-runs");
            // From yesterday, so a run made just before midnight (UTC) is still in range.
            var from = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var to = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            await page.GotoAsync($"{cluster.BaseUrl}/runs?range=dates&from={from}&to={to}");
            await Expect(page.Locator(".filter-days input").First).ToHaveValueAsync(from);
            await Expect(page.Locator(".runs-row").First).ToBeVisibleAsync();
            await ConsoleFixture.ScreenshotAsync(page, "07b-runs-between-dates");

            await page.GotoAsync($"{cluster.BaseUrl}/compare?routine=train_model");
            await page.Locator(".compare-candidates .mud-chip").Nth(0).ClickAsync();
            await page.Locator(".compare-candidates .mud-chip").Nth(1).ClickAsync();
            await Expect(page.Locator(".metric-chart[data-metric='loss'] svg").First).ToBeVisibleAsync();
            // Two grid points of one search differ in their hyperparameters, and each has a last loss.
            await Expect(page.Locator(".compare-row.differs[data-field^='hyperparameters.']").First).ToBeVisibleAsync();
            await Expect(page.Locator(".compare-metric[data-metric='loss'] td")).ToHaveCountAsync(3);
            await ConsoleFixture.ScreenshotAsync(page, "08-compare");
        }
        catch (Exception exception)
        {
            await ConsoleFixture.ScreenshotAsync(page, "failure-flow");
            throw new Exception($"{exception.Message}\n{cluster.Logs()}", exception);
        }
    }

    [Fact]
    public async Task TheSampleRunsArtifacts_ArePreviewed_TheirLineageLinks_AndTheSearchShowsAsASweep()
    {
        var page = await cluster.LoggedInPageAsync();
        try
        {
            var workflow = await cluster.SubmitSampleWorkflowAsync(page, ("epochs", 30));
            await Expect(page.Locator(".mud-chip[data-status]").First).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 120_000 });

            // The search as a sweep: one row per tune_one call, the learning rate and L2 that differ, and a chart.
            await page.ClickAsync(".open-sweep");
            await Expect(page.Locator(".sweep-row")).ToHaveCountAsync(6, new() { Timeout = 30_000 });
            await Expect(page.Locator("th.sweep-input", new() { HasTextString = "hyperparameters.learningRate" })).ToBeVisibleAsync();
            await Expect(page.Locator("th.sweep-score", new() { HasTextString = "output.macroF1" })).ToBeVisibleAsync();
            await Expect(page.Locator(".scatter-point")).ToHaveCountAsync(6);
            await ConsoleFixture.ScreenshotAsync(page, "15-sweep");

            // An evaluation: its two plots inline (loaded, not broken), the test rows it took as a table, the model it read as JSON.
            await page.GotoAsync(workflow);
            await page.Locator("a.tree-link", new() { HasTextString = "evaluate_model" }).First.ClickAsync();
            await Expect(page.Locator("#page-title")).ToHaveTextAsync("evaluate_model");
            var images = page.Locator(".run-artifacts img.artifact-image");
            await Expect(images).ToHaveCountAsync(2, new() { Timeout = 30_000 });
            await Eventually.TrueAsync(async () => await images.EvaluateAllAsync<bool>("all => all.every(i => i.complete && i.naturalWidth > 300)"),
                TimeSpan.FromSeconds(30), "both plots loaded");
            await Expect(page.Locator(".run-artifacts .artifact-table th", new() { HasTextString = "sepal_length" }).First).ToBeVisibleAsync();
            await Expect(page.Locator(".run-artifacts tr[data-hash] .artifact-name", new() { HasTextString = "model.json" })).ToBeVisibleAsync();
            await Expect(page.Locator(".run-artifacts .artifact-preview .mud-expand-panel").First).ToBeVisibleAsync(); // the model, collapsed
            await Expect(page.Locator(".lineage-upstream", new() { HasTextString = "train_model → model.json" })).ToBeVisibleAsync();
            await ConsoleFixture.ScreenshotAsync(page, "16-run-artifacts");

            // Which model came from which data and hyperparameters: the model's page names the training run that made it.
            await page.Locator(".run-artifacts .artifact-name", new() { HasTextString = "model.json" }).ClickAsync();
            await Expect(page.Locator("#page-title")).ToHaveTextAsync("model.json");
            await page.Locator(".artifact-lineage a", new() { HasTextString = "train_model" }).First.ClickAsync();
            await Expect(page.Locator("#page-title")).ToHaveTextAsync("train_model");
            await Expect(page.Locator("pre.json-view").First).ToContainTextAsync("\"learningRate\"");
            await Expect(page.Locator(".run-artifacts .artifact-name", new() { HasTextString = "train-standardized.csv" })).ToBeVisibleAsync();
            await ConsoleFixture.ScreenshotAsync(page, "17-model-lineage");
        }
        catch (Exception exception)
        {
            await ConsoleFixture.ScreenshotAsync(page, "failure-artifacts");
            throw new Exception($"{exception.Message}\n{cluster.Logs()}", exception);
        }
    }

    [Fact]
    public async Task CancelButton_AfterConfirmation_CancelsARunningWorkflow()
    {
        var page = await cluster.LoggedInPageAsync();
        try
        {
            // Minutes of training if nothing stopped it (30,000 epochs take about 6 s here), so it is certainly still
            // running when the cancel arrives, however slow the machine is to get there.
            await cluster.SubmitSampleWorkflowAsync(page, ("epochs", 1_000_000), ("batchSize", 1), ("seed", 11));

            await Expect(page.Locator(".run-progress")).ToBeVisibleAsync();
            await page.ClickAsync(".cancel-run");
            await ConsoleFixture.ScreenshotAsync(page, "09-cancel-confirm");
            await page.GetByRole(AriaRole.Button, new() { Name = "Cancel run" }).ClickAsync();
            await Expect(page.GetByText("Cancellation requested.")).ToBeVisibleAsync();

            await Expect(page.Locator(".mud-chip[data-status]").First).ToHaveAttributeAsync("data-status", "Cancelled", new() { Timeout = 60_000 });
            await ConsoleFixture.ScreenshotAsync(page, "10-cancelled");

            // The training really stopped: the worker is idle again, its slots free for the next run.
            await page.ClickAsync("a[href='workers']");
            await Expect(page.Locator("[data-worker-status]").First).ToHaveAttributeAsync("data-worker-status", "Idle", new() { Timeout = 30_000 });
        }
        catch (Exception exception)
        {
            await ConsoleFixture.ScreenshotAsync(page, "failure-cancel");
            throw new Exception($"{exception.Message}\n{cluster.Logs()}", exception);
        }
    }

    [Fact]
    public async Task TheRunForm_StartsARunAtThePriorityGiven()
    {
        var page = await cluster.LoggedInPageAsync();
        try
        {
            await page.GotoAsync($"{cluster.BaseUrl}/routines/run?id={Uri.EscapeDataString("wfname:train_and_pick_model:1.0.0")}");
            await Expect(page.Locator("input[data-path='$.epochs']")).ToHaveValueAsync("100", new() { Timeout = 60_000 });
            await Expect(page.Locator(".run-priority input")).ToHaveValueAsync("0"); // the routine's own
            await page.Locator(".run-priority input").FillAsync("7");
            await page.Locator("input[data-path='$.epochs']").FillAsync("5");
            await page.ClickAsync(".run-submit");
            await ConsoleFixture.WaitForAddressAsync(page, ConsoleFixture.RunPage());

            await Expect(page.Locator(".run-policy")).ToContainTextAsync("priority 7");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task TheSchedulesPage_ShowsTheSamplesDeclaredSchedule_AndMakesPausesAndRemovesOne_WhoseTicksLinkTheirRuns()
    {
        var page = await cluster.LoggedInPageAsync();
        try
        {
            await page.ClickAsync(".nav-schedules");
            await Expect(page.Locator(".schedule-row-name", new() { HasText = "nightly-retrain" })).ToContainTextAsync("declared", new() { Timeout = 60_000 });

            // A bad expression is refused with what is wrong, and saves nothing.
            await page.Locator(".schedule-name input").FillAsync("e2e-bad");
            await page.ClickAsync(".schedule-routine");
            await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "load_dataset" }).ClickAsync();
            await Expect(page.Locator(".schedule-routine input")).ToHaveValueAsync("load_dataset"); // the choice rendered before typing on
            await page.Locator(".schedule-cron input").FillAsync("every night");
            await page.ClickAsync(".schedule-save");
            await Expect(page.Locator(".error-panel")).ToContainTextAsync("Schedule.Cron 'every night' is not a cron expression");

            await page.Locator(".schedule-name input").FillAsync("e2e-every-two-seconds");
            await page.Locator(".schedule-cron input").FillAsync("*/2 * * * * *");
            await page.Locator(".schedule-input textarea").FillAsync("""{"name": "iris"}""");
            await page.ClickAsync(".schedule-save");
            var row = page.Locator(".schedules-table tbody tr", new() { HasText = "e2e-every-two-seconds" });
            await Expect(row.Locator(".schedule-row-last-run")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            Assert.Equal(0, await page.Locator(".schedule-row-name", new() { HasText = "e2e-bad" }).CountAsync());
            await ConsoleFixture.ScreenshotAsync(page, "12-schedules");

            await page.ClickAsync(".schedule-ticks-e2e-every-two-seconds");
            await page.Locator("tr[data-tick-outcome=started] a").First.ClickAsync();
            await ConsoleFixture.WaitForAddressAsync(page, new Regex(@"/runs/schedule-e2e-every-two-seconds-\d{8}t\d{6}z$"));
            await Expect(page.Locator(".mud-chip[data-status]").First).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 60_000 });

            await page.ClickAsync(".nav-schedules");
            await page.ClickAsync(".schedule-pause-e2e-every-two-seconds");
            await Expect(row.Locator("[data-schedule-state]")).ToHaveAttributeAsync("data-schedule-state", "paused");
            await page.ClickAsync(".schedule-remove-e2e-every-two-seconds");
            await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
            await Expect(row).ToHaveCountAsync(0);
        }
        catch (Exception exception)
        {
            await ConsoleFixture.ScreenshotAsync(page, "failure-schedules");
            throw new Exception($"{exception.Message}\n{cluster.Logs()}", exception);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task FinishedRun_LogDownloadsAsText_ForSignedInUsersOnly_AndRetryStartsANewRun()
    {
        var page = await cluster.LoggedInPageAsync();
        try
        {
            // A workflow is never served from the cache, so it always writes its leaderboard to the log.
            var firstRun = await cluster.SubmitSampleWorkflowAsync(page, ("epochs", 20));
            await Expect(page.Locator(".mud-chip[data-status]").First).ToHaveAttributeAsync("data-status", "Succeeded", new() { Timeout = 60_000 });
            var runId = firstRun[(firstRun.LastIndexOf('/') + 1)..];

            var download = await page.APIRequest.GetAsync($"{cluster.BaseUrl}/runs/{runId}/log.txt");
            Assert.True(download.Ok, $"status {download.Status}");
            Assert.Contains("Leaderboard for iris", await download.TextAsync());
            await using (var anonymous = await cluster.Browser.NewContextAsync())
            {
                var refused = await anonymous.APIRequest.GetAsync($"{cluster.BaseUrl}/runs/{runId}/log.txt", new() { MaxRedirects = 0 });
                Assert.DoesNotContain("Leaderboard", await refused.TextAsync());
                Assert.Equal(302, refused.Status);
                Assert.Contains("/login", refused.Headers["location"]);
            }

            await page.ClickAsync(".retry-run");
            await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
            await ConsoleFixture.WaitForAddressAsync(page, new Regex($"/runs/(?!{runId}$)[0-9a-f]{{32}}$"));
            await Expect(page.Locator("#page-title")).ToHaveTextAsync("train_and_pick_model");
        }
        catch (Exception exception)
        {
            await ConsoleFixture.ScreenshotAsync(page, "failure-retry");
            throw new Exception($"{exception.Message}\n{cluster.Logs()}", exception);
        }
    }

    /// <summary>
    /// A run's page links its trace in the team's tracing tool (the console launched it, the service and the worker
    /// exported its spans), and the console's probes and metrics answer without a sign-in.
    /// </summary>
    [Fact]
    public async Task ARunsPage_LinksItsTrace_AndTheConsolesProbesAndMetricsAnswerWithoutSignIn()
    {
        var page = await cluster.LoggedInPageAsync();
        try
        {
            var address = await cluster.SubmitSampleWorkflowAsync(page, ("epochs", 10));
            var runId = address[(address.LastIndexOf('/') + 1)..];
            using var http = new HttpClient();
            using var run = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"{cluster.ApiServer}/api/v1/runs/{runId}"));
            var traceId = run.RootElement.GetProperty("traceId").GetString();
            Assert.Matches("^[0-9a-f]{32}$", traceId);
            await Expect(page.Locator(".run-trace a")).ToHaveAttributeAsync("href", ConsoleFixture.TraceLinkTemplate.Replace("{traceId}", traceId));
            await Eventually.TrueAsync(() => Task.FromResult(cluster.Collector.Spans.Any(s => s.TraceId == traceId && s.Name == "attempt train_and_pick_model")),
                TimeSpan.FromSeconds(30), "the workflow's attempt span at the collector");

            var ready = await http.GetAsync($"{cluster.BaseUrl}/healthz/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("\"cluster\":{\"status\":\"Healthy\"", await ready.Content.ReadAsStringAsync());
            var metrics = await http.GetAsync($"{cluster.BaseUrl}/metrics");
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.Contains("http_server_request_duration_seconds", await metrics.Content.ReadAsStringAsync());
        }
        catch (Exception exception)
        {
            await ConsoleFixture.ScreenshotAsync(page, "failure-trace");
            throw new Exception($"{exception.Message}\n{cluster.Logs()}", exception);
        }
    }
}
