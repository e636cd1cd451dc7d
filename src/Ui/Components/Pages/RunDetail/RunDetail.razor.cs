using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Routines.Client;
using Routines.Ui.Hosting;
using Routines.Ui.Security;
using Routines.Ui.Services;

namespace Routines.Ui.Components.Pages.RunDetail;

/// <summary>One run: facts, input/output, error chain, attempts, tree, live log, progress, metric charts, cancel and retry.</summary>
public sealed partial class RunDetail : IDisposable
{
    RunInfo? _run;
    IReadOnlyList<RunInfo> _tree = [];
    IReadOnlyList<RunEvent> _history = [];
    IReadOnlyList<KeyValuePair<string, IReadOnlyList<MetricPoint>>> _metrics = [];
    string? _error;
    bool _missing;
    bool _removed;
    bool _acting;
    DateTimeOffset _now;
    LiveRefresh? _live;
    string? _loadedRunId;

    [Inject] ConsoleData Data { get; set; } = null!;

    [Inject] IDialogService Dialogs { get; set; } = null!;

    [Inject] ISnackbar Snackbar { get; set; } = null!;

    [Inject] NavigationManager Navigation { get; set; } = null!;

    [Inject] TimeProvider Time { get; set; } = null!;

    [Inject] UiOptions Options { get; set; } = null!;

    [CascadingParameter] Task<AuthenticationState>? Authentication { get; set; }

    [Parameter]
    public string RunId { get; set; } = "";

    protected override async Task OnParametersSetAsync()
    {
        if (RunId == _loadedRunId) return;
        _loadedRunId = RunId;

        // A click in the tree reuses this component for another run: start over.
        _live?.Dispose();
        _run = null;
        _tree = [];
        _history = [];
        _metrics = [];
        _error = null;
        _missing = false;
        _removed = false;

        var quietTicks = 0;
        _live = LiveRefresh.Start(Options.RefreshInterval, Time, cancellationToken =>
        {
            // Once the whole tree has finished, a few more reads catch the last writes, then the page rests; a run
            // removed by retention will not come back.
            if (_removed) return Task.CompletedTask;
            if (_run is not null && _run.Status.IsTerminal() && _tree.All(r => r.Status.IsTerminal()) && ++quietTicks > 3) return Task.CompletedTask;
            if (_run is null || !_run.Status.IsTerminal()) quietTicks = 0;
            return InvokeAsync(async () =>
            {
                await RefreshAsync(cancellationToken);
                StateHasChanged();
            });
        });
        await RefreshAsync(_live.Stopping);
    }

    async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var run = await Data.GetRunAsync(RunId, cancellationToken);
            if (run is null)
            {
                _missing = true;
                _error = "missing";
                return;
            }

            var tree = Data.GetTreeAsync(run.RootRunId, cancellationToken);
            var history = Data.GetHistoryAsync(run.RunId, cancellationToken);
            var metrics = Data.GetMetricsAsync(run.RunId, cancellationToken);
            _tree = await tree;
            _history = await history;
            _metrics = [.. (await metrics).GroupBy(m => m.Name).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new KeyValuePair<string, IReadOnlyList<MetricPoint>>(g.Key, [.. g.OrderBy(p => p.Step)]))];
            _run = run;
            _now = Time.GetUtcNow();
            _error = null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (RunRemovedException removed)
        {
            _removed = true;
            _error = removed.Message;
        }
        catch (Exception exception)
        {
            _error = exception.Message;
        }
    }

    /// <summary>True for runs under this page's run in the tree.</summary>
    bool IsBelow(RunInfo candidate)
    {
        var byId = _tree.ToDictionary(r => r.RunId);
        for (var parent = candidate.ParentRunId; parent is not null; parent = byId.GetValueOrDefault(parent)?.ParentRunId)
        {
            if (parent == RunId) return true;
        }

        return false;
    }

    static string ProgressText(RunProgress? progress) => progress switch
    {
        null => "started",
        { Fraction: { } f } => $"{progress.Current} / {progress.Total} ({f:P0}){(progress.Message is null ? "" : $" · {progress.Message}")}",
        _ => progress.Message ?? $"{progress.Current}",
    };

    Task CancelAsync() => ConfirmThenAsync("Cancel this run?",
        $"{_run!.RoutineName} ({_run.RunId}) and its unfinished children will be cancelled. This cannot be undone.",
        "Cancel run", "Keep running", "Could not cancel", async () =>
        {
            await Data.CancelAsync(await Authentication.UserAsync(), RunId);
            Snackbar.Add("Cancellation requested.", Severity.Info);
            await RefreshAsync(_live!.Stopping);
        });

    Task RetryAsync() => ConfirmThenAsync("Retry this run?",
        $"{_run!.RoutineName} runs again with the same input, as a new run.",
        "Retry", "Back", "Could not retry", async () => Navigation.NavigateTo($"runs/{await Data.RetryAsync(await Authentication.UserAsync(), RunId)}"));


    /// <summary>Asks first; while the action runs the buttons are disabled, and a failure shows in the page's error panel.</summary>
    async Task ConfirmThenAsync(string title, string message, string yes, string no, string failure, Func<Task> action)
    {
        if (await Dialogs.ShowMessageBoxAsync(title, message, yesText: yes, cancelText: no) != true) return;
        _acting = true;
        try
        {
            await action();
        }
        catch (Exception exception)
        {
            _error = $"{failure}: {exception.Message}";
        }
        finally
        {
            _acting = false;
        }
    }

    public void Dispose() => _live?.Dispose();
}
