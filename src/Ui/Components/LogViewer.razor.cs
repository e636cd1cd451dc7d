using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Logging;
using Microsoft.JSInterop;
using Routines.Client;
using Routines.Ui.Services;

namespace Routines.Ui.Components;

/// <summary>
/// Tails a run's log through <see cref="ConsoleData.FollowLogsAsync"/>. With Follow on, new lines show as they arrive
/// and the view stays at the end; with it off, the view holds still and counts the lines that arrived meanwhile.
/// </summary>
public sealed partial class LogViewer
{
    /// <summary>Lines kept in the browser; older ones are dropped (the download has them all).</summary>
    internal const int MaxLines = 5000;

    static readonly LogLevel[] Levels = [LogLevel.Trace, LogLevel.Debug, LogLevel.Information, LogLevel.Warning, LogLevel.Error, LogLevel.Critical];

    static readonly Dictionary<string, object> DownloadAttributes = new() { ["download"] = "" };

    readonly List<RunLogLine> _lines = [];
    readonly CancellationTokenSource _stop = new();
    ElementReference _box;
    IReadOnlyList<RunLogLine> _visible = [];
    bool _visibleStale = true;
    int _frozenCount;
    bool _ended;
    bool _scrollPending;
    string? _error;
    Task? _tail;
    PeriodicTimer? _renderTimer;
    Task? _renderLoop;
    volatile bool _dirty;

    [Inject] ConsoleData Data { get; set; } = null!;

    [Inject] IJSRuntime JS { get; set; } = null!;

    [Parameter, EditorRequired]
    public string RunId { get; set; } = "";

    /// <summary>Starts with Follow on (default) or off.</summary>
    [Parameter]
    public bool Follow { get; set; } = true;

    [Parameter]
    public LogLevel MinimumLevel { get; set; } = LogLevel.Trace;

    [Parameter]
    public string? TextFilter { get; set; }

    /// <summary>Lines that arrived while Follow was off.</summary>
    int Pending => Follow ? 0 : _lines.Count - _frozenCount;

    IReadOnlyList<RunLogLine> Visible
    {
        get
        {
            if (!_visibleStale) return _visible;
            var shown = Follow ? _lines : _lines.Take(_frozenCount);
            _visible = [.. shown.Where(Matches)];
            _visibleStale = false;
            return _visible;
        }
    }

    protected override void OnInitialized()
    {
        _frozenCount = 0;
        _tail = TailAsync(_stop.Token);
        // Lines arrive one by one; the view re-renders at most four times a second.
        _renderTimer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        _renderLoop = RenderLoopAsync(_renderTimer);
    }

    async Task TailAsync(CancellationToken cancellationToken)
    {
        long last = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var line in Data.FollowLogsAsync(RunId, last, cancellationToken))
                {
                    last = line.Sequence;
                    Add(line);
                }

                _ended = true;
                _error = null;
                _dirty = true;
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                _error = $"The log tail stopped: {exception.Message}";
                _dirty = true;
            }

            // The banner says the cluster is away; try again from the last line seen.
            try { await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    void Add(RunLogLine line)
    {
        lock (_lines)
        {
            _lines.Add(line);
            if (_lines.Count > MaxLines)
            {
                _lines.RemoveRange(0, _lines.Count - MaxLines);
                _frozenCount = Math.Max(0, _frozenCount - 1);
            }
        }

        _error = null;
        _dirty = true;
    }

    async Task RenderLoopAsync(PeriodicTimer timer)
    {
        try
        {
            while (await timer.WaitForNextTickAsync())
            {
                if (!_dirty) continue;
                _dirty = false;
                await InvokeAsync(() =>
                {
                    _visibleStale = true;
                    _scrollPending = Follow;
                    StateHasChanged();
                });
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!_scrollPending) return;
        _scrollPending = false;
        try
        {
            await JS.InvokeVoidAsync("routinesConsole.scrollToEnd", _box);
        }
        catch (JSDisconnectedException)
        {
        }
        catch (InvalidOperationException)
        {
            // Static rendering (no JS yet).
        }
    }

    bool Matches(RunLogLine line)
        => line.Level >= MinimumLevel
           && (string.IsNullOrEmpty(TextFilter) || line.Message.Contains(TextFilter, StringComparison.OrdinalIgnoreCase));

    void SetMinimumLevel(LogLevel level)
    {
        MinimumLevel = level;
        _visibleStale = true;
    }

    void SetTextFilter(string? text)
    {
        TextFilter = text;
        _visibleStale = true;
    }

    Task SetFollowAsync(bool follow)
    {
        Follow = follow;
        lock (_lines) _frozenCount = _lines.Count;
        _visibleStale = true;
        _scrollPending = follow;
        return Task.CompletedTask;
    }

    static string Short(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRC",
        LogLevel.Debug => "DBG",
        LogLevel.Information => "INF",
        LogLevel.Warning => "WRN",
        LogLevel.Error => "ERR",
        LogLevel.Critical => "CRT",
        _ => "---",
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _renderTimer?.Dispose();
        if (_tail is not null) await _tail.ConfigureAwait(false);
        if (_renderLoop is not null) await _renderLoop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
