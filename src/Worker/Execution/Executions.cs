using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Routines.Client;
using Routines.Cluster;
using Routines.Silo.Hosting;
using Routines.Silo.Storage;
using Routines.Silo.Telemetry;
using Routines.Worker.Catalog;

namespace Routines.Worker.Execution;

/// <summary>
/// Runs attempts on the thread pool (never on the grain scheduler) and reports each result to the run's grain.
/// Lives as long as the worker silo, so a grain deactivation never loses a running attempt.
/// </summary>
internal sealed partial class Executions(
    RoutineRegistry registry,
    IServiceProvider services,
    IGrainFactory grains,
    Silo.Artifacts.ArtifactStore artifacts,
    Microsoft.Extensions.Options.IOptions<Silo.Artifacts.ArtifactStoreOptions> artifactOptions,
    JsonSerializerOptions json,
    TimeProvider clock,
    ILogger<Executions> logger)
{
    /// <summary>
    /// Tries at a result the service refused with an error of its own (about 70 s, the pause growing to 3 s); a
    /// service or database that cannot be reached is waited for as long as this worker lives.
    /// </summary>
    const int MaxReportTries = 30;

    readonly ConcurrentDictionary<(string RunId, int Attempt), Attempt> _running = new();

    /// <summary>How long a cancel that came before its attempt's start is remembered.</summary>
    static readonly TimeSpan CancelledEarlyKept = TimeSpan.FromMinutes(5);

    readonly ConcurrentDictionary<(string RunId, int Attempt), long> _cancelledEarly = new();

    /// <summary>Attempts whose result was given up on while their code still runs (it ignores its token): routine id by attempt.</summary>
    readonly ConcurrentDictionary<(string RunId, int Attempt), string> _abandoned = new();
    volatile bool _stopping;
    readonly BatchingSender<AttemptReport> _results = new(batch => grains.AttemptResults().DeliverAsync(batch));

    /// <summary>The worker is stopping: attempts that still arrive are handed straight back.</summary>
    public void StopAccepting() => _stopping = true;

    /// <summary>Starts the attempt and returns at once; one that cannot start is reported failed, never dropped.</summary>
    public void Start(string workerId, ExecutionRequest request)
    {
        try
        {
            StartOrReport(workerId, request);
        }
        catch (Exception exception)
        {
            _ = ReportAsync(request, new AttemptResult(RunStatus.Failed, Error: new RunError(exception.GetType().FullName!,
                $"Worker {workerId} could not start attempt {request.Attempt}: {exception.Message}", exception.StackTrace)));
        }
    }

    void StartOrReport(string workerId, ExecutionRequest request)
    {
        var routine = registry.Find(request.Routine);
        if (routine is null)
        {
            var error = new RunError(typeof(RoutineNotFoundException).FullName!,
                $"Worker {workerId} does not host {request.Routine.Display}; it was dispatched here by mistake.");
            _ = ReportAsync(request, new AttemptResult(RunStatus.Failed, Error: error));
            return;
        }

        if (_stopping)
        {
            _ = ReportAsync(request, new AttemptResult(RunStatus.Cancelled, HandedBack: true));
            return;
        }

        var run = grains.Run(request.RunId);
        var attempt = new Attempt(request, routine, new TelemetryBuffer(run, request.RunId, request.Attempt, clock), artifacts, clock);
        _running[(request.RunId, request.Attempt)] = attempt;
        // Registered first, then the early cancels read: a cancel racing this start sees the attempt or is seen here.
        if (_cancelledEarly.TryRemove((request.RunId, request.Attempt), out _)) attempt.Cancel();
        _ = Task.Run(() => RunAsync(workerId, attempt));
    }

    /// <summary>
    /// Signals the attempt's cancellation. A cancel can overtake its attempt's start (starts travel in batches, a cancel
    /// on its own): it is remembered for a while, and the start then begins the attempt cancelled, which ends at once
    /// instead of holding a slot for as long as the routine runs.
    /// </summary>
    public void Cancel(string runId, int attempt)
    {
        _cancelledEarly[(runId, attempt)] = Stopwatch.GetTimestamp();
        if (_running.TryGetValue((runId, attempt), out var running))
        {
            _cancelledEarly.TryRemove((runId, attempt), out _);
            running.Cancel();
        }

        foreach (var (key, at) in _cancelledEarly)
            if (Stopwatch.GetElapsedTime(at) > CancelledEarlyKept) _cancelledEarly.TryRemove(key, out _);
    }

    public void ChildFinished(string parentRunId, int parentAttempt, ChildOutcome child)
    {
        if (_running.TryGetValue((parentRunId, parentAttempt), out var parent) && parent.Children.TryGetValue(child.RunId, out var waiter))
            waiter.TrySetResult(child);
    }

    /// <summary>Attempts executing now.</summary>
    public int Count => _running.Count;

    /// <summary>What runs here now, for heartbeats.</summary>
    public IReadOnlyList<RunningAttempt> Running() => _running.Values
        .Select(a => new RunningAttempt(a.Request.RunId, a.Request.Attempt, a.Routine.Descriptor.Kind, a.Limits)).ToList();

    /// <summary>The routine of each abandoned attempt whose code still runs, for heartbeats: each keeps a thread (a core, if it spins) busy.</summary>
    public IReadOnlyList<string> Abandoned() => _abandoned.Values.ToList();

    /// <summary>
    /// Gives up on every running attempt without waiting for it: their runs have ended (run-routine's run tree), so
    /// what still runs only keeps the process from exiting. Code that ignores its token runs on until the process ends.
    /// </summary>
    public void AbandonAll()
    {
        foreach (var (key, attempt) in _running)
        {
            attempt.Cancel();
            if (_running.TryRemove(key, out _)) _abandoned[key] = attempt.Request.Routine.ToString();
        }
    }

    /// <summary>Completes when no attempt runs, or when cancelled.</summary>
    public async Task WaitIdleAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!_running.IsEmpty) await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Stops every running attempt and gives its run back to the service to dispatch elsewhere.</summary>
    public async Task HandBackAllAsync()
    {
        foreach (var attempt in _running.Values) attempt.HandBack();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await WaitIdleAsync(deadline.Token);
    }

    async Task RunAsync(string workerId, Attempt attempt)
    {
        AttemptResult result;
        var request = attempt.Request;
        var routine = request.Routine.Name;
        var started = clock.GetTimestamp();
        // The attempt's span, a child of its run's: the routine's own spans (HttpClient, Npgsql, its ActivitySource) and
        // the runs a workflow calls nest under it.
        using (var span = RoutinesTelemetry.Start("attempt", routine, ActivityKind.Consumer, request.TraceParent))
        await using (attempt.Telemetry)
        {
            span?.SetTag("routines.run.id", request.RunId);
            span?.SetTag("routines.run.attempt", request.Attempt);
            span?.SetTag("routines.worker", workerId);
            result = attempt.WithLineage(await ExecuteAsync(workerId, attempt));
            // The children it called and did not see end: the service cancels them without searching the workflow's children.
            if (attempt.Routine.Descriptor.Kind == RoutineKind.Workflow) result = result with { UnfinishedChildren = [.. attempt.Children.Keys] };
            span?.SetTag("routines.run.status", result.HandedBack ? "HandedBack" : result.Status.ToString());
            if (result.Error is { } error) RoutinesTelemetry.Fail(span, error.Type, error.Message);
        }

        if (!result.HandedBack) RoutinesMetrics.AttemptEnded(routine, result.Status, clock.GetElapsedTime(started));

        try
        {
            // Reported before the attempt leaves the running set: a stopping worker waits for the set to empty, so it
            // never shuts its messaging down under an undelivered result.
            await ReportAsync(attempt.Request, result);
        }
        finally
        {
            // Even when the report failed for good: an attempt left in the set would hold its slot, and be reported
            // running in every heartbeat, until the worker stops.
            _running.TryRemove((attempt.Request.RunId, attempt.Request.Attempt), out _);
            attempt.Dispose();
        }
    }

    async Task<AttemptResult> ExecuteAsync(string workerId, Attempt attempt)
    {
        var request = attempt.Request;
        var routine = attempt.Routine;
        attempt.Cancellation.CancelAfter(request.Timeout);
        ExecutionScope.Enter(routine.Descriptor.Kind, request.Routine.ToString());
        try
        {
            await using var scope = services.CreateAsyncScope();
            var input = JsonSerializer.Deserialize(request.InputJson, routine.InputType, json);
            var instance = Create(scope.ServiceProvider, routine);
            RoutineContext context = routine.Descriptor.Kind == RoutineKind.Workflow
                ? new WorkflowRunContext(attempt, workerId, grains, json)
                : new RunContext(attempt);

            // WaitAsync lets a routine that ignores its token still time out: its result is abandoned, not awaited.
            var invocation = routine.Invoke(instance, input, context);
            object? output;
            try
            {
                output = await invocation.WaitAsync(attempt.Cancellation.Token);
            }
            catch (OperationCanceledException) when (!invocation.IsCompleted)
            {
                WatchAbandoned(attempt, invocation);
                throw;
            }

            return new AttemptResult(RunStatus.Succeeded, await OffloadedIfLargeAsync(attempt, JsonSerializer.Serialize(output, routine.OutputType, json)));
        }
        catch (Exception) when (attempt.HandedBack)
        {
            return new AttemptResult(RunStatus.Cancelled, HandedBack: true);
        }
        catch (OperationCanceledException) when (attempt.Cancellation.IsCancellationRequested)
        {
            return attempt.CancelRequested
                ? new AttemptResult(RunStatus.Cancelled, Error: new RunError(typeof(RoutineCancelledException).FullName!, "Cancelled while running."))
                : new AttemptResult(RunStatus.TimedOut, Error: new RunError(typeof(RoutineTimedOutException).FullName!,
                    $"Attempt {request.Attempt} exceeded its timeout of {request.Timeout}."));
        }
        catch (Exception exception)
        {
            // A store that failed the routine is the store's error, whatever the routine made of it.
            return new AttemptResult(RunStatus.Failed, Error: RunError.From(attempt.StoreFailure ?? exception));
        }
    }

    /// <summary>The output, or, when larger than the offload threshold, a stand-in naming the artifact it was stored as.</summary>
    async Task<string> OffloadedIfLargeAsync(Attempt attempt, string outputJson)
    {
        var limit = artifactOptions.Value.OffloadOutputBytes;
        if (limit == 0 || outputJson.Length <= limit / 3) return outputJson;
        var bytes = System.Text.Encoding.UTF8.GetBytes(outputJson);
        if (bytes.Length <= limit) return outputJson;
        return OffloadedOutput.Marker(await attempt.Artifacts.SaveAsync(bytes, "application/json", "output.json"));
    }

    /// <summary>The trigger's input for the finished run (<see cref="Cluster.IWorkerGrain.MapTriggerAsync"/>), its output read back if it was offloaded.</summary>
    public async Task<string?> MapTriggerAsync(string name, RunInfo finished)
    {
        var trigger = registry.FindTrigger(name) ?? throw new RoutineNotFoundException(name, $"This worker declares no trigger named '{name}'.");
        finished = finished with { OutputJson = await OffloadedOutput.ResolveAsync(finished.OutputJson, a => artifacts.OpenAsync(a, CancellationToken.None)) };
        try
        {
            using var scope = services.CreateScope();
            return trigger.Map(ActivatorUtilities.CreateInstance(scope.ServiceProvider, trigger.Type), finished, json);
        }
        catch (Exception exception) when (exception is not RoutinesException)
        {
            // The trigger's own code (or its creation) failed: a message the service can carry, not the exception itself.
            throw new RoutineFailedException($"trigger {name}", finished.RunId, RunError.From(exception));
        }
    }

    /// <summary>Creates the routine through dependency injection; a service nobody registered is a definition error.</summary>
    static object Create(IServiceProvider services, RegisteredRoutine routine)
    {
        try
        {
            return ActivatorUtilities.CreateInstance(services, routine.Type);
        }
        catch (InvalidOperationException exception)
        {
            throw new RoutineDefinitionException(routine.Type.FullName!,
                $"{routine.Type.FullName} cannot be created: {exception.Message} Register the service with the host's "
              + "Services (RoutineHost.CreateBuilder(args).Services) on every worker that offers this routine.");
        }
    }

    /// <summary>
    /// Counts an attempt given up on (cancelled, timed out) as abandoned until its code really ends. Only such an attempt
    /// pays for the watch: an attempt that ends by itself costs nothing here.
    /// </summary>
    void WatchAbandoned(Attempt attempt, Task invocation)
    {
        var key = (attempt.Request.RunId, attempt.Request.Attempt);
        _abandoned[key] = attempt.Request.Routine.ToString();
        invocation.ContinueWith(_ => _abandoned.TryRemove(key, out var _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Delivers the result, with the other attempts' results that are ready (one call for many). While the service or
    /// its database is away (restarting, say) it tries again until they are back: the attempt stays in the running set
    /// meanwhile, so heartbeats keep reporting it and it is not handed back. A lost result would cost the run its
    /// attempt's timeout and a second execution.
    /// </summary>
    async Task ReportAsync(ExecutionRequest request, AttemptResult result)
    {
        var report = new AttemptReport(request.RunId, request.Attempt, result);
        for (var tries = 1; ; tries++)
        {
            try
            {
                await _results.SendAsync(report);
                return;
            }
            catch (Exception exception)
            {
                if (tries >= MaxReportTries && !ServiceOutage.IsPassing(exception))
                {
                    LogResultUndelivered(request.RunId, request.Attempt, tries, exception.Message);
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 * tries, 3000)));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Gave up reporting the result of attempt {Attempt} of run {RunId} after {Tries} tries ({Reason}); the service times the attempt out when its timeout passes and retries it as the routine's policy says.")]
    partial void LogResultUndelivered(string runId, int attempt, int tries, string reason);
}
