using Microsoft.AspNetCore.Components;
using MudBlazor;
using Routines.Client;
using Routines.Ui.Hosting;
using Routines.Ui.Services;

namespace Routines.Ui.Components.Pages.Workers;

/// <summary>Live workers with status, slots, hosted routines and last heartbeat; re-read every second.</summary>
public sealed partial class Workers : IDisposable
{
    IReadOnlyList<WorkerInfo>? _workers;
    string? _error;
    DateTimeOffset _now;
    LiveRefresh? _live;

    [Inject] ConsoleData Data { get; set; } = null!;

    [Inject] TimeProvider Time { get; set; } = null!;

    [Inject] UiOptions Options { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        _live = LiveRefresh.Start(Options.RefreshInterval, Time, _ => InvokeAsync(async () =>
        {
            await RefreshAsync();
            StateHasChanged();
        }));
        await RefreshAsync();
    }

    async Task RefreshAsync()
    {
        try
        {
            _workers = [.. (await Data.ListWorkersAsync(_live!.Stopping)).OrderBy(w => w.Name, StringComparer.Ordinal)];
            _now = Time.GetUtcNow();
            _error = null;
        }
        catch (OperationCanceledException) when (_live!.Stopping.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            _error = exception.Message;
        }
    }

    static Color ColorOf(WorkerStatus status) => status switch
    {
        WorkerStatus.Idle => Color.Success,
        WorkerStatus.Working => Color.Info,
        WorkerStatus.Hanging => Color.Warning,
        WorkerStatus.Terminating => Color.Error,
        _ => Color.Default,
    };

    public void Dispose() => _live?.Dispose();
}
