using Microsoft.AspNetCore.Components;
using Routines.Client;
using Routines.Ui.Services;

namespace Routines.Ui.Components.Pages.Compare;

/// <summary>
/// Overlays the metric series of several runs of one routine (a hyperparameter search's candidates) and lines them up
/// in one table: the input fields that differ (or all of them) and each metric's last value, then the artifacts each
/// made side by side (previews), then the whole inputs.
/// The selection lives in the address: <c>compare?routine=train_model&amp;runs=a,b,c</c>.
/// </summary>
public sealed partial class Compare
{
    IReadOnlyList<RunInfo>? _candidates;
    List<RunInfo> _runs = [];
    readonly Dictionary<string, IReadOnlyList<MetricPoint>> _points = [];
    readonly Dictionary<string, IReadOnlyList<Artifact>> _artifacts = [];
    List<string> _metricNames = [];
    HashSet<string> _selected = [];
    string? _error;
    bool _loading;
    bool _onlyDifferences = true;

    [Inject] ConsoleData Data { get; set; } = null!;

    [Inject] NavigationManager Navigation { get; set; } = null!;

    [SupplyParameterFromQuery(Name = "routine")]
    public string? Routine { get; set; }

    [SupplyParameterFromQuery(Name = "runs")]
    public string? RunIds { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        _selected = [.. (RunIds ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        _error = null;
        try
        {
            _candidates = string.IsNullOrWhiteSpace(Routine)
                ? null
                : (await Data.ListRunsAsync(new RunFilter { RoutineName = Routine.Trim(), Take = 40 })).Runs;
            _loading = true;
            var runs = await Task.WhenAll(_selected.Select(id => Data.GetRunAsync(id)));
            _runs = [.. runs.OfType<RunInfo>()];
            foreach (var run in _runs.Where(r => !_points.ContainsKey(r.RunId) || !r.Status.IsTerminal()))
            {
                _points[run.RunId] = await Data.GetMetricsAsync(run.RunId);
                // What each run made (its plots, its model), for side-by-side previews.
                _artifacts[run.RunId] = [.. (await Data.ListArtifactsAsync(run.RunId))
                    .Where(a => a.Role is ArtifactRole.Produced or ArtifactRole.Output).Select(a => a.Artifact).DistinctBy(a => a.Hash)];
            }

            _metricNames = [.. _runs.SelectMany(r => _points[r.RunId]).Select(p => p.Name).Distinct().Order(StringComparer.Ordinal)];
            if (_runs.Select(r => r.RoutineName).Distinct().Count() > 1)
                _error = "These runs are of different routines; their metrics may not be comparable.";
        }
        catch (Exception exception)
        {
            _error = exception.Message;
        }
        finally
        {
            _loading = false;
        }
    }

    IReadOnlyList<(string Label, IReadOnlyList<MetricPoint> Points)> SeriesOf(string metric)
        => [.. _runs.Select(r => (Label(r), (IReadOnlyList<MetricPoint>)[.. _points[r.RunId].Where(p => p.Name == metric).OrderBy(p => p.Step)]))];

    Task SetRoutineAsync(string? routine)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["routine"] = routine, ["runs"] = null }));
        return Task.CompletedTask;
    }

    Task ToggleAsync(string runId)
    {
        var selected = new List<string>(_selected);
        if (!selected.Remove(runId)) selected.Add(runId);
        // Kept at once, not only when the address comes back: the browser tells the server of a navigation a round
        // trip later, and a second click before that would otherwise start again from the old selection and drop
        // the first (a test's two quick clicks did, once in a CI run).
        _selected = [.. selected];
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["runs"] = selected.Count == 0 ? null : string.Join(',', selected),
        }));
        return Task.CompletedTask;
    }

    /// <summary>Long values (a training set passed inline) are cut in the cell; the tooltip holds more of them.</summary>
    static string? Shorten(string? value) => value is { Length: > 80 } ? $"{value[..77]}…" : value;

    static string? Tooltip(string? value) => value is { Length: > 80 } ? (value.Length > 2000 ? $"{value[..2000]}…" : value) : null;

    /// <summary>A run's short name in legends: its input in brief when small, else its id's tail.</summary>
    static string Label(RunInfo run)
    {
        var input = run.InputJson.Length <= 60 ? run.InputJson : null;
        return input is not null && input != "{}" ? $"…{run.RunId[^6..]} {input}" : $"…{run.RunId[^6..]} {run.CreatedAt.ToLocalTime():HH:mm:ss}";
    }
}
