using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Routines.Client;
using Routines.Ui.Components.Pages.Runs;
using Routines.Ui.Hosting;
using Routines.Ui.Services;

namespace Routines.Ui.Tests.Components;

public sealed class RunsTableTests : ConsoleTestContext
{
    public RunsTableTests()
    {
        var now = DateTimeOffset.UtcNow;
        Client.Runs.AddRange(
        [
            FakeRoutinesClient.Run("aaa111", "train_model", RunStatus.Succeeded, now.AddMinutes(-5)),
            FakeRoutinesClient.Run("bbb222", "train_model", RunStatus.Failed, now.AddMinutes(-4)),
            FakeRoutinesClient.Run("ccc333", "load_dataset", RunStatus.Failed, now.AddMinutes(-3)),
            FakeRoutinesClient.Run("ddd444", "evaluate_model", RunStatus.Running, now.AddMinutes(-2)),
            FakeRoutinesClient.Run("eee555", "train_model", RunStatus.Succeeded, now.AddDays(-3)),
            FakeRoutinesClient.Run("ddd444.1", "train_model", RunStatus.Running, now.AddMinutes(-1), parent: "ddd444", root: "ddd444"),
        ]);
    }

    [Fact]
    public void NoFilter_ShowsRootRunsNewestFirst_WithCountsByStatus()
    {
        var cut = At("runs");

        cut.WaitForAssertion(() => Assert.Equal(["evaluate_model", "load_dataset", "train_model", "train_model", "train_model"], Routines(cut)));
        cut.WaitForAssertion(() => Assert.Contains("Failed 2", cut.Find("[data-count-status='Failed']").TextContent));
        Assert.Contains("Succeeded 2", cut.Find("[data-count-status='Succeeded']").TextContent);
        Assert.Contains("All 5", cut.Find("[data-count-status='All']").TextContent);
    }

    [Fact]
    public void ASearchMatchingMoreThanTheStoreCounts_SaysAtLeast_AndStillPagesOn()
    {
        Client.CountLimit = 2;
        Client.Runs.AddRange(Enumerable.Range(0, 30).Select(i => FakeRoutinesClient.Run($"fff{i:D3}", "train_model", RunStatus.Succeeded, DateTimeOffset.UtcNow.AddHours(-1 - i))));

        var cut = At("runs?q=train");

        cut.WaitForAssertion(() => Assert.Contains("All 2+", cut.Find("[data-count-status='All']").TextContent));
        Assert.Contains("Succeeded 2+", cut.Find("[data-count-status='Succeeded']").TextContent);
        Assert.Contains("Failed 1", cut.Find("[data-count-status='Failed']").TextContent); // under the limit: exact
        Assert.Contains("2+ matching runs", cut.Find(".query-time").TextContent);
        Assert.Contains("1-25 of at least 26", cut.Find(".mud-table-pagination").TextContent);
    }

    [Fact]
    public async Task ARunsWorker_IsShownByItsName_OnceTheConsoleHasSeenIt()
    {
        Client.Runs[0] = Client.Runs[0] with { Worker = "127.0.0.1:41001@155400001" };
        Client.Runs[1] = Client.Runs[1] with { Worker = "127.0.0.1:41002@155400002" }; // never listed: its address stays
        Client.Workers.Add(new WorkerInfo("127.0.0.1:41001@155400001", "gpu-worker-1", WorkerStatus.Idle, 4, 0, 0, [], DateTimeOffset.UtcNow));
        await Services.GetRequiredService<Routines.Ui.Services.ConsoleData>().ListWorkersAsync(); // as the console's health probe does

        var cut = At("runs");

        cut.WaitForAssertion(() => Assert.Contains("gpu-worker-1", cut.Markup));
        Assert.DoesNotContain("127.0.0.1:41001@155400001", cut.Markup);
        Assert.Contains("127.0.0.1:41002@155400002", cut.Markup);
    }

    [Fact]
    public void StatusFilter_ShowsOnlyRunsInThatStatus()
    {
        var cut = At("runs?status=Failed");

        cut.WaitForAssertion(() => Assert.Equal(["load_dataset", "train_model"], Routines(cut)));
        Assert.All(cut.FindAll(".runs-row [data-status]"), chip => Assert.Equal("Failed", chip.GetAttribute("data-status")));
    }

    [Fact]
    public void RoutineSearchAndTimeRange_CombineOnTheServer()
    {
        var cut = At("runs?routine=train_model&range=24h&q=bbb");

        cut.WaitForAssertion(() => Assert.Equal(["train_model"], Routines(cut)));
        var filter = Client.Filters.Last(f => f.Take > 1);
        Assert.Equal("train_model", filter.RoutineName);
        Assert.Equal("bbb", filter.Search);
        Assert.NotNull(filter.CreatedAfter);
    }

    [Fact]
    public void BetweenDates_ListsTheRunsCreatedOnThoseDays_BothIncluded()
    {
        var day = new DateTimeOffset(2020, 3, 10, 0, 0, 0, TimeSpan.Zero);
        Client.Runs.AddRange(
        [
            FakeRoutinesClient.Run("before", "old_job", RunStatus.Succeeded, day.AddTicks(-1)),
            FakeRoutinesClient.Run("first-day", "old_job", RunStatus.Succeeded, day),
            FakeRoutinesClient.Run("last-day", "old_job", RunStatus.Succeeded, day.AddDays(2).AddHours(23)),
            FakeRoutinesClient.Run("after", "old_job", RunStatus.Succeeded, day.AddDays(3)),
        ]);

        var cut = At("runs?range=dates&from=2020-03-10&to=2020-03-12");

        cut.WaitForAssertion(() => Assert.Equal(["last-day", "first-day"], RunIds(cut)));
        var filter = Client.Filters.Last(f => f.Take > 1);
        Assert.Equal(day, filter.CreatedAfter);
        Assert.Equal(day.AddDays(3), filter.CreatedBefore);
        Assert.NotNull(cut.Find(".filter-days"));
        Assert.Empty(cut.FindAll(".date-problem"));
    }

    [Theory]
    [InlineData("from=10.03.2020&to=2020-03-12", "'from' in the address is not a date written yyyy-MM-dd (it is '10.03.2020')")]
    [InlineData("from=2020-03-12&to=2020-03-10", "The date range starts after it ends (2020-03-12 to 2020-03-10)")]
    public void BetweenDates_WithBadDays_SaysWhatIsWrong_AndDoesNotFilterByThem(string days, string problem)
    {
        var cut = At($"runs?range=dates&{days}");

        cut.WaitForAssertion(() => Assert.Contains(problem, cut.Find(".date-problem").TextContent));
        var filter = Client.Filters.Last(f => f.Take > 1);
        Assert.Null(filter.CreatedAfter);
    }

    [Fact]
    public void ClickingAStatusCount_PutsTheFilterInTheAddress()
    {
        var cut = At("runs");
        cut.WaitForAssertion(() => Assert.Equal(5, Routines(cut).Length));

        // The live refresh re-renders every 200 ms here, so a found chip may be stale by the click: retry until it lands.
        var navigation = Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() =>
        {
            if (!navigation.Uri.Contains('?', StringComparison.Ordinal))
            {
                try { cut.Find("[data-count-status='Running']").Click(); }
                catch (Bunit.Rendering.UnknownEventHandlerIdException) { }
            }

            Assert.EndsWith("?status=Running", navigation.Uri);
        });
    }

    [Fact]
    public void TwoFilterChangesWithinOneRoundTrip_BothReachTheAddress()
    {
        var navigation = new LaggingNavigation("http://localhost/runs");
        Services.AddSingleton<NavigationManager>(navigation);
        Services.AddSingleton(new UiOptions { RefreshInterval = TimeSpan.FromHours(1) }); // no re-render between the clicks
        var cut = Render<Runs>();
        cut.WaitForAssertion(() => Assert.Equal(5, Routines(cut).Length));

        cut.Find("[data-count-status='Running']").Click();
        cut.Find(".filter-roots input").Change(false);

        Assert.Equal(["http://localhost/runs?status=Running", "http://localhost/runs?status=Running&roots=false"], navigation.Requested);
    }

    /// <summary>
    /// Navigation as a Blazor Server page sees it: the address changes only once the browser reports back, a round
    /// trip after <c>NavigateTo</c>; here it never does.
    /// </summary>
    sealed class LaggingNavigation : NavigationManager
    {
        public LaggingNavigation(string uri) => Initialize("http://localhost/", uri);

        public List<string> Requested { get; } = [];

        protected override void NavigateToCore(string uri, NavigationOptions options) => Requested.Add(ToAbsoluteUri(uri).ToString());
    }

    [Fact]
    public void NoMatch_SaysSo()
    {
        var cut = At("runs?q=nothing-like-this");

        cut.WaitForAssertion(() => Assert.Contains("No run matches these filters.", cut.Find(".runs-empty").TextContent));
    }

    [Fact]
    public void ClusterUnreachable_ShowsTheErrorPanelAndNoStaleCounts_ThenTheRowsComeBack()
    {
        var cut = At("runs");
        cut.WaitForAssertion(() => Assert.Equal(5, Routines(cut).Length));
        var health = Services.GetRequiredService<ClusterHealth>();

        // The panel renders before the table takes its empty page back, so each state is awaited as a whole.
        Client.Unreachable = true;
        cut.WaitForAssertion(() =>
        {
            Assert.Contains("The cluster is unreachable", cut.Find(".error-panel").TextContent);
            Assert.Empty(Routines(cut));
            Assert.Contains("The runs could not be loaded.", cut.Find(".runs-empty").TextContent);
            Assert.Contains("All …", cut.Find("[data-count-status='All']").TextContent);
        });
        Assert.False(health.Reachable);

        Client.Unreachable = false;
        cut.WaitForAssertion(() =>
        {
            Assert.Equal(5, Routines(cut).Length);
            Assert.Empty(cut.FindAll(".error-panel"));
            Assert.Contains("All 5", cut.Find("[data-count-status='All']").TextContent);
        });
        Assert.True(health.Reachable);
    }

    IRenderedComponent<Runs> At(string address)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(address);
        return Render<Runs>();
    }

    static string[] RunIds(IRenderedComponent<Runs> cut) => [.. cut.FindAll(".run-link").Select(a => a.TextContent.Trim())];

    static string[] Routines(IRenderedComponent<Runs> cut) => [.. cut.FindAll(".run-routine").Select(td => td.TextContent.Trim())];
}
