using System.Diagnostics;
using Routines.Client;
using Routines.Cluster;
using Routines.Silo.Hosting;

namespace Routines.Silo.Runs;

/// <summary>
/// The calls other processes make (clients, the console, workers). Each lets only exceptions every caller can read leave
/// the service (<see cref="CallerSafeExceptions"/>) through a filter of its own: a run's calls are the service's hottest
/// path, and Orleans' filter chain (the other grains' way) costs three turns on the grain per call, an async wrapper a
/// state machine, a task and a continuation. The rest are made only by the service's own grains and timers: Orleans
/// hands an exception to a caller in the same silo as it is, and a grain that passes it on to another process guards it.
/// </summary>
internal sealed partial class RunGrain
{
    public async Task<RunInfo> SubmitAsync(RunRequest request)
    {
        try
        {
            return await SubmitAsync(request, inline: false);
        }
        catch (Exception exception) when (!CallerSafeExceptions.CanCross(exception))
        {
            throw CallerSafeExceptions.Readable(exception);
        }
    }

    public async Task<ChildOutcome?> CallAsync(RunRequest request)
    {
        try
        {
            var run = await SubmitAsync(request, inline: false);
            return run.Status.IsTerminal() ? ChildOutcome.Of(run) : null;
        }
        catch (Exception exception) when (!CallerSafeExceptions.CanCross(exception))
        {
            throw CallerSafeExceptions.Readable(exception);
        }
    }

    /// <param name="inline">Made by <see cref="ExecuteAsync"/> itself, which holds back every other call until it ends.</param>
    async Task<RunInfo> SubmitAsync(RunRequest request, bool inline)
    {
        // A fresh root id, or a call from a workflow's first attempt, cannot have a record yet: skip the read. A keyed
        // submit's id is the key's, and the key may have been sent before.
        if (request.ParentRunId is null && request.Options?.IdempotencyKey is null || request.ParentAttempt == 1) _loading ??= Task.CompletedTask;
        await (inline ? LoadOnceAsync() : EnsureLoadedAsync());
        if (_run is not null)
        {
            if (request.ParentRunId is null) RefuseAnotherSubmitUnderTheSameKey(request);
            return await AttachAsync(request);
        }

        // The run's span: a child of the caller's, and the parent of each attempt's (through the traceparent recorded below).
        using var span = RoutinesTelemetry.Start("run", null, ActivityKind.Server, request.TraceParent);
        span?.SetTag("routines.run.id", RunId);
        try
        {
            var run = await AcceptAsync(request, span);
            span?.SetTag("routines.run.status", run.Status.ToString());
            return run;
        }
        catch (Exception exception)
        {
            RoutinesTelemetry.Fail(span, exception.GetType().FullName!, exception.Message);
            throw;
        }
    }

    public async Task<RunInfo> ExecuteAsync(RunRequest request, TimeSpan maxWait)
    {
        try
        {
            var started = clock.GetTimestamp();
            // The submit runs alone, as when a client sends it: here, if no call has begun on this activation (a new run's
            // usual case), holding back every call that comes meanwhile; otherwise through the grain's own reference, as a
            // call that waits its turn. Here saves a call to itself: 5-8 % of the service's CPU per run (decision #74).
            var run = _loading is null ? await SubmitHoldingOthersAsync(request) : await GrainFactory.Run(RunId).SubmitAsync(request);
            if (run.Status.IsTerminal()) return run;
            // The window counts from the call's arrival, so a slow submit does not push the answer past the call timeout.
            var left = maxWait - clock.GetElapsedTime(started);
            return left > TimeSpan.Zero ? (await WaitAsync(left))! : run;
        }
        catch (Exception exception) when (!CallerSafeExceptions.CanCross(exception))
        {
            throw CallerSafeExceptions.Readable(exception);
        }
    }

    /// <summary>
    /// Submits from this interleaved call. Orleans would let any other call start while it waits (this call does not
    /// block the grain), so every call and timer waits for it first, at <see cref="EnsureLoadedAsync"/>.
    /// </summary>
    async Task<RunInfo> SubmitHoldingOthersAsync(RunRequest request)
    {
        var submitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _submitting = submitted.Task;
        try
        {
            return await SubmitAsync(request, inline: true);
        }
        finally
        {
            _submitting = null;
            submitted.SetResult();
        }
    }

    public async Task<RunInfo?> GetAsync()
    {
        try
        {
            var reads = ReadsRecord;
            await EnsureLoadedAsync();
            return await AnswerAsync(readNow: reads);
        }
        catch (Exception exception) when (!CallerSafeExceptions.CanCross(exception))
        {
            throw CallerSafeExceptions.Readable(exception);
        }
    }

    public async Task<RunInfo?> WaitAsync(TimeSpan maxWait)
    {
        try
        {
            var reads = ReadsRecord;
            await EnsureLoadedAsync();
            if (_recorded is null || _recorded.Status.IsTerminal()) return await AnswerAsync(readNow: reads);
            // WaitAsync drops its timer when the run ends first; a bare Task.Delay would live out its whole window (20 s
            // for the client), and at thousands of runs a second those dangling timers were a large share of the heap.
            await _terminal.Task.WaitAsync(maxWait, clock)
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            return _recorded;
        }
        catch (Exception exception) when (!CallerSafeExceptions.CanCross(exception))
        {
            throw CallerSafeExceptions.Readable(exception);
        }
    }

    public async Task CancelAsync(string reason)
    {
        try
        {
            await EnsureLoadedAsync();
            if (_run is null || _run.Status.IsTerminal()) return;

            if (_run.Status == RunStatus.Pending) dispatcher.Forget(RunId);
            else if (_run.Worker is { } worker) GrainFactory.Worker(worker).CancelAsync(RunId, _run.Attempt).Ignore();

            var error = new RunError(typeof(RoutineCancelledException).FullName!, $"Cancelled: {reason}", RunId: RunId, RoutineId: _run.RoutineId);
            await TransitionAsync(_run with { Status = RunStatus.Cancelled, Error = error, FinishedAt = clock.GetUtcNow() }, reason);
        }
        catch (Exception exception) when (!CallerSafeExceptions.CanCross(exception))
        {
            throw CallerSafeExceptions.Readable(exception);
        }
    }

    public async Task ReportAsync(int attempt, RunTelemetry telemetry)
    {
        try
        {
            await EnsureLoadedAsync();
            if (_run is null) return;

            var writes = new List<Task>(3);
            if (telemetry.Logs.Count > 0) writes.Add(store.AppendLogsAsync(telemetry.Logs));
            if (telemetry.Metrics.Count > 0) writes.Add(store.AppendMetricsAsync(telemetry.Metrics));
            if (telemetry.Progress is { } progress && attempt == _run.Attempt && !_run.Status.IsTerminal())
            {
                _run = _run with { Progress = progress };
                writes.Add(SaveAsync(_run, []));
            }

            await Task.WhenAll(writes);
            foreach (var line in telemetry.Logs) hub.Publish(new RunUpdate(_run.RootRunId, Log: line));
            foreach (var point in telemetry.Metrics) hub.Publish(new RunUpdate(_run.RootRunId, Metric: point));
            if (telemetry.Progress is not null) hub.Publish(new RunUpdate(_run.RootRunId, Run: _run));
        }
        catch (Exception exception) when (!CallerSafeExceptions.CanCross(exception))
        {
            throw CallerSafeExceptions.Readable(exception);
        }
    }
}
