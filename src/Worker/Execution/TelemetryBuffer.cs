using Microsoft.Extensions.Logging;
using Routines.Client;
using Routines.Cluster;

namespace Routines.Worker.Execution;

/// <summary>
/// Collects an attempt's log lines, metrics and progress, and ships them to the run's grain in batches: at most every
/// <see cref="FlushInterval"/>, so a chatty training loop costs a few grain calls a second, not one per line.
/// </summary>
internal sealed class TelemetryBuffer(IRunGrain run, string runId, int attempt, TimeProvider clock) : IAsyncDisposable
{
    static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    readonly Lock _lock = new();
    List<RunLogLine> _logs = [];
    List<MetricPoint> _metrics = [];
    RunProgress? _progress;
    readonly Dictionary<string, long> _lastStep = [];
    long _sequence;
    Task? _flushLoop;
    readonly CancellationTokenSource _stop = new();

    /// <summary>Sequences continue across attempts (the attempt is the high part), so a tail never sees one go backwards.</summary>
    long NextSequence() => ((long)attempt << 40) + Interlocked.Increment(ref _sequence);

    public void Log(LogLevel level, string message)
    {
        var line = new RunLogLine(runId, NextSequence(), clock.GetUtcNow(), level, message, attempt);
        lock (_lock) _logs.Add(line);
        EnsureFlushing();
    }

    public void Metric(string name, double value, long? step)
    {
        lock (_lock)
        {
            // Without a step, points of a series are numbered 1, 2, 3, …
            var at = step ?? _lastStep.GetValueOrDefault(name) + 1;
            _lastStep[name] = at;
            _metrics.Add(new MetricPoint(runId, name, at, value, clock.GetUtcNow()));
        }

        EnsureFlushing();
    }

    public void Progress(long current, long total, string? message)
    {
        lock (_lock) _progress = new RunProgress(current, total, message, clock.GetUtcNow());
        EnsureFlushing();
    }

    /// <summary>Sends what is buffered now.</summary>
    public async Task FlushAsync()
    {
        RunTelemetry batch;
        lock (_lock)
        {
            if (_logs.Count == 0 && _metrics.Count == 0 && _progress is null) return;
            batch = new RunTelemetry(_logs, _metrics, _progress);
            (_logs, _metrics, _progress) = ([], [], null);
        }

        await run.ReportAsync(attempt, batch);
    }

    void EnsureFlushing()
    {
        if (_flushLoop is not null) return;
        lock (_lock) _flushLoop ??= Task.Run(FlushLoopAsync);
    }

    async Task FlushLoopAsync()
    {
        using var timer = new PeriodicTimer(FlushInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try { await FlushAsync(); }
                catch (Exception) when (!_stop.IsCancellationRequested) { /* the service is unreachable for a moment: keep buffering */ }
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_flushLoop is not null) await _flushLoop;
        await FlushAsync();
        _stop.Dispose();
    }
}
