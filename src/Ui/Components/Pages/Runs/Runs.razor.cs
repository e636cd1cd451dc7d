using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Routines.Client;
using Routines.Ui.Hosting;
using Routines.Ui.Services;

namespace Routines.Ui.Components.Pages.Runs;

/// <summary>
/// Runs, newest first, paged on the server, with filters in the address (so a filtered view can be shared) and counts
/// by status; re-read every second while Live is on.
/// </summary>
public sealed partial class Runs : IDisposable
{
    internal static readonly (string Key, string Label, TimeSpan? Age)[] Ranges =
    [
        ("any", "Any time", null),
        ("1h", "Last hour", TimeSpan.FromHours(1)),
        ("24h", "Last 24 hours", TimeSpan.FromDays(1)),
        ("7d", "Last 7 days", TimeSpan.FromDays(7)),
        ("30d", "Last 30 days", TimeSpan.FromDays(30)),
        (BetweenDates, "Custom dates", null),
    ];

    /// <summary>The range whose bounds are the <c>from</c> and <c>to</c> days (UTC, both included) in the address.</summary>
    const string BetweenDates = "dates";

    MudTable<RunInfo>? _table;
    StatusCounts? _counts;
    bool _totalIsLowerBound;
    string? _error;
    string? _queryTime;
    DateTimeOffset _now;
    LiveRefresh? _live;

    [Inject] ConsoleData Data { get; set; } = null!;

    [Inject] NavigationManager Navigation { get; set; } = null!;

    [Inject] TimeProvider Time { get; set; } = null!;

    [Inject] UiOptions Options { get; set; } = null!;

    /// <summary>The status filter as written in the address (the query string supplies no enums).</summary>
    [SupplyParameterFromQuery(Name = "status")]
    public string? StatusText { get; set; }

    RunStatus? Status => Enum.TryParse<RunStatus>(StatusText, ignoreCase: true, out var status) ? status : null;

    [SupplyParameterFromQuery(Name = "routine")]
    public string? Routine { get; set; }

    [SupplyParameterFromQuery(Name = "range")]
    public string? Range { get; set; }

    [SupplyParameterFromQuery(Name = "from")]
    public string? From { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    public string? To { get; set; }

    [SupplyParameterFromQuery(Name = "q")]
    public string? Q { get; set; }

    [SupplyParameterFromQuery(Name = "roots")]
    public bool? Roots { get; set; }

    bool RootsOnly => Roots ?? true;

    /// <summary>Re-reads the page every second while on.</summary>
    public bool Live { get; set; } = true;

    string EmptySentence => Status is null && string.IsNullOrEmpty(Routine) && string.IsNullOrEmpty(Q) && (Range ?? "any") == "any"
        ? "No runs yet. Start one from the Routines page, or with `dotnet run -- run-routine` in a routines project."
        : "No run matches these filters.";

    protected override void OnInitialized()
    {
        Range ??= "any";
        _now = Time.GetUtcNow();
        _live = LiveRefresh.Start(Options.RefreshInterval, Time, _ => Live && _table is { } table
            ? InvokeAsync(async () =>
            {
                await table.ReloadServerData();
                StateHasChanged();
            })
            : Task.CompletedTask);
    }

    protected override async Task OnParametersSetAsync()
    {
        // The address changed (a filter): read page one again.
        if (_table is not null) await _table.ReloadServerData();
    }

    internal RunFilter Filter(int skip, int take)
    {
        var (after, before) = Range == BetweenDates ? Days().Bounds
            : (Ranges.FirstOrDefault(r => r.Key == Range).Age is { } age ? Time.GetUtcNow() - age : (DateTimeOffset?)null, null);
        return new()
        {
            Status = Status,
            RoutineName = string.IsNullOrWhiteSpace(Routine) ? null : Routine.Trim(),
            Search = string.IsNullOrWhiteSpace(Q) ? null : Q.Trim(),
            CreatedAfter = after,
            CreatedBefore = before,
            RootsOnly = RootsOnly,
            Skip = skip,
            Take = take,
        };
    }

    /// <summary>
    /// The address's <c>from</c>/<c>to</c> days as created-at bounds (from midnight UTC on the first to midnight after the
    /// last), or the reason they cannot be used; a bound that cannot be read filters nothing, and the page says so.
    /// </summary>
    internal ((DateTimeOffset? After, DateTimeOffset? Before) Bounds, string? Problem) Days()
    {
        var from = Day(From, "from", out var fromProblem);
        var to = Day(To, "to", out var toProblem);
        if ((fromProblem ?? toProblem) is { } problem) return ((from?.Start, to?.End), problem);
        if (from is { } f && to is { } t && f.Start > t.Start)
            return ((null, null), $"The date range starts after it ends ({From} to {To}): no date filter is applied.");
        return ((from?.Start, to?.End), null);
    }

    static (DateTimeOffset Start, DateTimeOffset End)? Day(string? text, string name, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return (start, start.AddDays(1));
        }

        problem = $"'{name}' in the address is not a date written yyyy-MM-dd (it is '{text}'), so that end of the range is open.";
        return null;
    }

    DateRange PickedDays => new(Days().Bounds.After?.UtcDateTime, Days().Bounds.Before?.UtcDateTime.AddDays(-1));

    async Task<TableData<RunInfo>> LoadAsync(TableState state, CancellationToken cancellationToken)
    {
        try
        {
            var filter = Filter(state.Page * state.PageSize, state.PageSize);
            var watch = Stopwatch.StartNew();
            var pageTask = Data.ListRunsAsync(filter, cancellationToken);
            var countsTask = Data.CountByStatusAsync(filter with { Status = null }, cancellationToken);
            var page = await pageTask;
            var pageTime = watch.Elapsed;
            _counts = await countsTask;
            _queryTime = $"{page.Total:N0}{(page.TotalIsLowerBound ? "+" : "")} matching runs · page query {pageTime.TotalMilliseconds:0} ms · with counts {watch.Elapsed.TotalMilliseconds:0} ms";
            _now = Time.GetUtcNow();
            _error = null;
            StateHasChanged(); // the counts above the table
            // Past a count's limit the pager offers one page more for as long as pages come back full.
            _totalIsLowerBound = page.TotalIsLowerBound;
            var total = page.TotalIsLowerBound
                ? Math.Max(page.Total, filter.Skip + page.Runs.Count + (page.Runs.Count == filter.Take ? 1 : 0))
                : page.Total;
            return new TableData<RunInfo> { Items = page.Runs, TotalItems = total };
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception exception)
        {
            _error = exception.Message;
            // Counts and timing from before the failure would contradict the "could not be loaded" table.
            _counts = null;
            _queryTime = null;
            StateHasChanged();
            return new TableData<RunInfo> { Items = [], TotalItems = 0 };
        }
    }

    Task SetStatusAsync(RunStatus? status) => Go(new() { ["status"] = status?.ToString() });

    Task SetRoutineAsync(string? routine) => Go(new() { ["routine"] = string.IsNullOrWhiteSpace(routine) ? null : routine });

    Task SetRangeAsync(string range)
    {
        // Custom dates start as the last seven days (today included), ready to be narrowed in the picker.
        var today = DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);
        return Go(new()
        {
            ["range"] = range == "any" ? null : range,
            ["from"] = range == BetweenDates ? today.AddDays(-6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
            ["to"] = range == BetweenDates ? today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
        });
    }

    Task SetDaysAsync(DateRange? days) => Go(new()
    {
        ["from"] = days?.Start?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["to"] = days?.End?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    });

    Task SetSearchAsync(string? q) => Go(new() { ["q"] = string.IsNullOrWhiteSpace(q) ? null : q });

    Task SetRootsOnlyAsync(bool rootsOnly) => Go(new() { ["roots"] = rootsOnly ? null : "false" });

    /// <summary>
    /// Puts the filters, with the change, in the address. They are taken from this page, which keeps the change at
    /// once, not from <see cref="NavigationManager.Uri"/>: the server hears of a navigation a round trip after
    /// <c>NavigateTo</c>, and a second change before then would start from the old address and drop the first.
    /// </summary>
    Task Go(Dictionary<string, object?> change)
    {
        var query = new Dictionary<string, object?>
        {
            ["status"] = StatusText, ["routine"] = Routine, ["range"] = Range == "any" ? null : Range,
            ["from"] = From, ["to"] = To, ["q"] = Q, ["roots"] = Roots == false ? "false" : null,
        };
        foreach (var (key, value) in change) query[key] = value;
        StatusText = (string?)query["status"];
        Routine = (string?)query["routine"];
        Range = (string?)query["range"] ?? "any";
        From = (string?)query["from"];
        To = (string?)query["to"];
        Q = (string?)query["q"];
        Roots = query["roots"] is null ? null : false;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(query));
        return Task.CompletedTask;
    }

    void Open(TableRowClickEventArgs<RunInfo> row)
    {
        if (row.Item is { } run) Navigation.NavigateTo($"runs/{run.RunId}");
    }

    static string Short(string runId) => runId.Length > 14 ? $"{runId[..8]}…{runId[^6..]}" : runId;

    public void Dispose() => _live?.Dispose();
}
