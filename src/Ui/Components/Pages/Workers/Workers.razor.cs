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
    PeriodicTimer? _timer;
    readonly CancellationTokenSource _stop = new();

    [Inject] ConsoleData Data { get; set; } = null!;

    [Inject] TimeProvider Time { get; set; } = null!;

    [Inject] UiOptions Options { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        await RefreshAsync();
        _timer = new PeriodicTimer(Options.RefreshInterval, Time);
        _ = LoopAsync(_timer);
    }

    async Task LoopAsync(PeriodicTimer timer)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await InvokeAsync(async () =>
                {
                    await RefreshAsync();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    async Task RefreshAsync()
    {
        try
        {
            _workers = [.. (await Data.ListWorkersAsync(_stop.Token)).OrderBy(w => w.Name, StringComparer.Ordinal)];
            _now = Time.GetUtcNow();
            _error = null;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
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

    public void Dispose()
    {
        _stop.Cancel();
        _timer?.Dispose();
        _stop.Dispose();
    }
}
