using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.GrainDirectory;
using Routines.Client;
using Routines.Cluster;
using Routines.Serialization;
using Routines.Silo.Artifacts;
using Routines.Silo.Dispatch;
using Routines.Silo.Hosting;
using Routines.Silo.Storage;
using Routines.Silo.Telemetry;

namespace Routines.Silo.Runs;

/// <summary>
/// One run's state machine. Every status change goes through <see cref="TransitionAsync"/>, which stores the record
/// with a history event before anyone is told. Calls return at once; user code runs on a worker, whose result
/// comes back through <see cref="CompleteAsync"/>.
/// </summary>
[GrainDirectory(GrainDirectoryName = ServiceGrainDirectory.Name)]
internal sealed partial class RunGrain(
    IRunStore store,
    RoutineCatalog catalog,
    RunEventHub hub,
    Dispatcher dispatcher,
    WorkerStarts starts,
    AttemptWatchdog watchdog,
    IdenticalRuns identical,
    ILineageStore lineage,
    ArtifactStore artifacts,
    IOptions<RoutinesServiceOptions> options,
    TimeProvider clock,
    ILogger<RunGrain> logger) : Grain, IRunGrain
{
    /// <summary>How long after its timeout a silent attempt is declared timed out by the service itself (<see cref="AttemptWatchdog"/>).</summary>
    static readonly TimeSpan WatchdogGrace = TimeSpan.FromSeconds(10);

    /// <summary>How long a finished run's record that this grain wrote answers readers from memory before it is read again.</summary>
    static readonly TimeSpan FinishedRecordKept = TimeSpan.FromSeconds(1);

    /// <summary>How long a run whose start could not reach its worker waits before it is dispatched again.</summary>
    static readonly TimeSpan UnreachableWorkerPause = TimeSpan.FromSeconds(1);

    RunInfo? _run;
    // The run as last stored, which is all a reader is shown: _run changes a moment before its write is durable, and
    // a wait that answered from it could report a result the store (and the task cache) did not have yet.
    RunInfo? _recorded;
    long _changes, _recordedChange;
    long _writtenAt; // when this grain last wrote _recorded (Stopwatch ticks)
    RunStatus? _savedStatus; // the status of the last save handed to the store, or of the record read from it: what the next save replaces
    Task? _loading;
    Task? _submitting; // a submit made by ExecuteAsync, which every other call and timer waits for (SubmitHoldingOthersAsync)
    string? _callerWorker; // for Local / PreferLocal execution; kept in memory only, so locality is best effort
    IGrainTimer? _timer; // a retry's delay, or the pause before dispatching again
    IReadOnlyList<LimitSlot>? _limits; // the concurrency limits the run counts against, from its routine and input (once)
    string? _cacheKey;
    DateTimeOffset? _pendingSince; // for the time-in-line metric; in memory only
    IReadOnlyList<string>? _reportedUnfinished; // the children a workflow's attempt left unfinished, as its worker said
    TaskCompletionSource _terminal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Decoded from the grain's key once: each GetPrimaryKeyString makes a new string, and a run reads its id many times
    // (1.5 % of the service's allocation at 10,000 runs at once).
    string RunId => field ??= this.GetPrimaryKeyString();

    /// <summary>A new run: resolved, validated, answered from the cache, joined to an identical run, or dispatched.</summary>
    async Task<RunInfo> AcceptAsync(RunRequest request, Activity? span)
    {
        await catalog.WaitForFirstReportAsync();
        var routine = request.Options?.WaitForWorker == true
            ? catalog.TryGet(request.RoutineId) ?? catalog.Resolve(request.RoutineId)
            : catalog.Resolve(request.RoutineId);
        _callerWorker = request.CallerWorker;
        var inputJson = RoutineInputs.Validated(catalog, routine, request.InputJson, options.Value.MaxInputBytes);
        if (request.Options?.Problem() is { } problem) throw new ArgumentOutOfRangeException(nameof(RunRequest.Options), problem);

        var policy = RunPolicy.Of(request.Options, routine);
        var now = clock.GetUtcNow();
        span?.DisplayName = "run " + routine.Id.Name;
        RoutinesMetrics.RunSubmitted(routine.Id.Name);
        var run = new RunInfo
        {
            RunId = RunId,
            RoutineId = routine.Id.ToString(),
            RoutineName = routine.Id.Name,
            RoutineVersion = routine.Id.Version!,
            Kind = routine.Kind,
            Status = RunStatus.Pending,
            MaxAttempts = Math.Max(1, policy.Retry.MaxAttempts),
            InputJson = inputJson,
            ParentRunId = request.ParentRunId,
            RootRunId = request.RootRunId ?? RunId,
            ParentAttempt = request.ParentAttempt,
            CreatedAt = now,
            Options = request.Options,
            Policy = policy,
            TraceParent = span?.Id ?? request.TraceParent,
            Cause = request.Cause,
        };
        await RecordInputArtifactsAsync(run, routine);

        if (await CachedOutputAsync(run) is { } hit)
        {
            RoutinesMetrics.CacheHit(run.RoutineName);
            await RecordLineageAsync(run, hit.OutputJson, produced: null, read: null, now);
            await TransitionAsync(run with
            {
                Status = RunStatus.Succeeded, OutputJson = hit.OutputJson, CachedFromRunId = hit.RunId,
                StartedAt = now, FinishedAt = now,
            }, $"cache hit: output of run {hit.RunId}");
            return _run!;
        }

        var submitted = request.ParentRunId is not null ? $"called by run {request.ParentRunId}"
            : request.Cause is { } cause ? $"started by {cause}" : "submitted";
        if (UsesCache(run) && identical.Join(CacheKeyOf(run), RunId) is { } leader)
        {
            await TransitionAsync(run with { WaitReason = Following(leader) }, submitted);
            return _run!;
        }

        // Dispatch before the first write: a run that starts at once is stored once, Running, with its submitted event
        // in the same write; one that waits is stored Pending with why it waits.
        var grant = Acquire(run);
        if (grant.WorkerId is { } worker) await StartOnAsync(run, worker, new RunEvent(RunId, now, run.Status, run.Attempt, run.Worker, submitted));
        else await TransitionAsync(run with { WaitReason = grant.WaitReason }, submitted);
        return _run!;
    }

    public async Task NoteAsync(string reason)
    {
        await EnsureLoadedAsync();
        if (_run is not { } run) return;
        await SaveAsync(run, [new RunEvent(RunId, clock.GetUtcNow(), run.Status, run.Attempt, run.Worker, reason)]);
    }

    /// <summary>
    /// A workflow that ended leaves no child running: one its last attempt did not await, or one an earlier attempt
    /// started that no later call claimed (its input changed on replay). Succeeded children stay as history (decision #34).
    /// A first attempt's worker says which it left (usually none); otherwise the store is searched, which for a workflow
    /// of 10,000 children reads them all, and meanwhile holds up the results its worker sends after this one (decision #72).
    /// </summary>
    async Task CancelUnfinishedChildrenAsync(RunInfo workflow)
    {
        var reason = workflow.Status == RunStatus.Cancelled
            ? $"parent run {RunId} was cancelled"
            : $"parent run {RunId} ended ({workflow.Status}) without awaiting it";
        // Complete only when that attempt started every child: after a replay, earlier attempts' calls may be unclaimed.
        var reported = workflow.Attempt == 1 ? _reportedUnfinished : null;
        try
        {
            var unfinished = reported ?? await store.ListUnfinishedChildrenAsync(RunId);
            await Task.WhenAll(unfinished.Select(child => GrainFactory.Run(child).CancelAsync(reason)));
        }
        catch (Exception exception) when (workflow.Status != RunStatus.Cancelled)
        {
            // The workflow's own end is recorded; a child left running ends by itself.
            LogChildrenNotCancelled(RunId, exception.Message);
        }
    }

    public async Task AssignAsync(string workerId)
    {
        await EnsureLoadedAsync();
        if (_run is { Status: RunStatus.Pending } run) await StartOnAsync(run, workerId);
        else dispatcher.Release(workerId, RunId);
    }

    public async Task ResumeAsync()
    {
        await EnsureLoadedAsync();
        if (_run is { Status: RunStatus.Pending } && _timer is null) await DispatchAsync();
    }

    public async Task WorkerLostAsync(string workerId, string reason)
    {
        await EnsureLoadedAsync();
        if (_run is not { Status: RunStatus.Running } run || (run.Worker != workerId && workerId != "?")) return;
        await WorkerLostWhileRunningAsync(reason);
    }

    /// <summary>Marks the history events of attempts lost with their worker, which <see cref="RetryPolicy.MaxWorkerLosses"/> counts.</summary>
    const string LostMark = " lost with its worker: ";

    /// <summary>
    /// The attempt ran and ended without a verdict because its worker died or stopped. It is run again without spending a
    /// retry, unless the run has now lost its worker as often as its policy allows: a routine that takes its worker down
    /// (Environment.Exit, a crash, memory) would otherwise go on killing every worker it lands on.
    /// </summary>
    async Task WorkerLostWhileRunningAsync(string reason)
    {
        var run = _run!;
        // A worker that is still alive (one that did not report the run after a service restart) may yet receive the
        // attempt's start, sent before the restart: the cancel it remembers keeps it from running the attempt as well.
        if (run.Worker is { } worker && dispatcher.IsLive(worker)) GrainFactory.Worker(worker).CancelAsync(RunId, run.Attempt).Ignore();
        var limit = PolicyOf(run).Retry.MaxWorkerLosses;
        var losses = (await store.GetHistoryAsync(RunId))
            .Select(e => (e.Timestamp, At: e.Reason?.IndexOf(LostMark, StringComparison.Ordinal) ?? -1, e.Reason))
            .Where(e => e.At >= 0).Select(e => $"{e.Timestamp:yyyy-MM-dd HH:mm:ss} UTC, {e.Reason![(e.At + LostMark.Length)..]}")
            .Append($"{clock.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC, {reason}").ToList();
        if (losses.Count < limit)
        {
            await HandBackAsync(reason, lost: true);
            return;
        }

        StopTimer();
        var error = new RunError(typeof(RoutineWorkerLostException).FullName!,
            $"The run lost its worker {losses.Count} times, the most its retry policy allows (MaxWorkerLosses = {limit}): "
          + string.Join("; ", losses) + ". The routine may be ending its worker's process (Environment.Exit, a crash, "
          + "running out of memory); its logs up to each loss are stored with the run.", RunId: RunId, RoutineId: run.RoutineId);
        await TransitionAsync(run with { Status = RunStatus.Failed, Error = error, FinishedAt = clock.GetUtcNow() },
            $"attempt {run.Attempt}{LostMark}{reason}; {losses.Count} losses of its worker, the limit");
    }

    /// <summary>The attempt ended without a verdict: run it again, its retry budget intact.</summary>
    /// <param name="lost">The attempt ran and its worker went: the event counts towards <see cref="RetryPolicy.MaxWorkerLosses"/>.</param>
    async Task HandBackAsync(string reason, TimeSpan? pause = null, bool lost = false)
    {
        StopTimer();
        var run = _run!;
        await TransitionAsync(run with { Status = RunStatus.Pending, MaxAttempts = run.MaxAttempts + 1, WaitReason = reason },
            lost ? $"attempt {run.Attempt}{LostMark}{reason}" : $"attempt {run.Attempt} handed back: {reason}");
        if (pause is { } wait) StartTimer(wait, DispatchAsync);
        else await DispatchAsync();
    }

    public async Task CompleteAsync(int attempt, AttemptResult result)
    {
        await EnsureLoadedAsync();
        // The attempt's end is timed before its slot is freed: the record then says it ended before any run that took
        // the slot started (a concurrency limit's history never shows one run too many).
        var endedAt = clock.GetUtcNow();
        // The attempt's slot is freed with its result, here, rather than by a second message from the worker. A result
        // that arrives after a cancel still frees it: the routine has stopped only now.
        if (_run is { Worker: { } worker } && attempt == _run.Attempt) dispatcher.Release(worker, RunId);
        if (_run is null || _run.Status != RunStatus.Running || attempt != _run.Attempt)
        {
            LogStaleResult(RunId, attempt, _run?.Attempt ?? 0, _run?.Status);
            return;
        }

        StopTimer();
        var running = _run;
        try
        {
            await ApplyResultAsync(attempt, result, endedAt);
        }
        catch
        {
            // The verdict was not stored (the database stayed away longer than its outage tolerance). Back to the
            // state on record, so that the worker's next delivery of this result is applied, not taken for a stale one;
            // and its slot held again, as the record says, or a recovery meanwhile takes the run for lost and runs it again.
            _run = running;
            dispatcher.Restore(running.Worker!, RunId, running.Kind, _limits ?? []);
            throw;
        }
    }

    async Task ApplyResultAsync(int attempt, AttemptResult result, DateTimeOffset now)
    {
        var run = _run!;
        if (result.HandedBack)
        {
            await WorkerLostWhileRunningAsync($"worker {dispatcher.NameOf(run.Worker!)} stopped before attempt {attempt} finished");
            return;
        }

        await RecordLineageAsync(run, result.Status == RunStatus.Succeeded ? result.OutputJson : null, result.Produced, result.Read, now);
        _reportedUnfinished = result.UnfinishedChildren;
        switch (result.Status)
        {
            case RunStatus.Succeeded:
                // The cache entry is written with the Succeeded record, so whoever hears of the success finds it cached.
                var cached = UsesCache(run) ? new CacheEntry(CacheKeyOf(run), run.RoutineId, result.OutputJson!, RunId, now) : null;
                await TransitionAsync(run with { Status = RunStatus.Succeeded, OutputJson = result.OutputJson, Error = null, FinishedAt = now },
                    $"attempt {attempt} succeeded", at: now, cacheEntry: cached);
                break;
            case RunStatus.Cancelled:
                await TransitionAsync(run with { Status = RunStatus.Cancelled, Error = result.Error, FinishedAt = now }, "cancelled on the worker", at: now);
                break;
            default:
                await FailAttemptAsync(result.Status, result.Error ?? new RunError("Unknown", "The worker reported a failure without an error."), now);
                break;
        }
    }

    /// <summary>
    /// Refuses an input naming an artifact the store does not hold, and records the ones it names before the run is
    /// stored: from then on retention keeps them for the run to read.
    /// </summary>
    async Task RecordInputArtifactsAsync(RunInfo run, RoutineDescriptor routine)
    {
        var named = ArtifactReferences.In(run.InputJson);
        if (named.Count == 0) return;
        foreach (var (path, artifact) in named)
        {
            if (!await artifacts.ExistsAsync(artifact.Hash, CancellationToken.None))
            {
                throw new InvalidRoutineInputException(routine.Id.ToString(), path,
                    $"names artifact {artifact.Hash}, which the artifact store ({artifacts.Location}) does not hold");
            }
        }

        await lineage.RecordAsync([.. named.Select(n => new RunArtifact(RunId, run.RoutineId, n.Artifact, ArtifactRole.Input, run.CreatedAt))]);
    }

    /// <summary>What the attempt produced and read and what the output names, recorded before the record that ends the run.</summary>
    async Task RecordLineageAsync(RunInfo run, string? outputJson, IReadOnlyList<Artifact>? produced, IReadOnlyList<Artifact>? read, DateTimeOffset now)
    {
        var lines = new List<RunArtifact>();
        foreach (var artifact in produced ?? []) lines.Add(new RunArtifact(RunId, run.RoutineId, artifact, ArtifactRole.Produced, now));
        foreach (var artifact in read ?? []) lines.Add(new RunArtifact(RunId, run.RoutineId, artifact, ArtifactRole.Read, now));
        foreach (var (_, artifact) in ArtifactReferences.In(outputJson)) lines.Add(new RunArtifact(RunId, run.RoutineId, artifact, ArtifactRole.Output, now));
        if (lines.Count > 0) await lineage.RecordAsync(lines);
    }

    public async Task ChildFinishedAsync(RunInfo child)
    {
        await EnsureLoadedAsync();
        if (_run is { Status: RunStatus.Running, Worker: { } worker })
            GrainFactory.Worker(worker).ChildFinishedAsync(RunId, _run.Attempt, ChildOutcome.Of(child)).Ignore();
    }

    /// <summary>A keyed submit sent again returns the first run; the same key for another routine or input is a mistake, not a repeat.</summary>
    void RefuseAnotherSubmitUnderTheSameKey(RunRequest request)
    {
        if (DifferentCall(_run!, request) is not { } difference) return;
        throw new ArgumentException(
            $"Idempotency key '{request.Options?.IdempotencyKey}' was first used for run {RunId} of {_run!.RoutineId}; this submit "
          + $"differs: {difference}. Use a new key for a different submit.", nameof(CallOptions.IdempotencyKey));
    }

    /// <summary>
    /// A replayed call: the child id names the call (routine, input hash, occurrence), and the recorded child is reused
    /// only when it is the same call, so a call never receives another call's result. A failed child is restarted.
    /// </summary>
    async Task<RunInfo> AttachAsync(RunRequest request)
    {
        var run = _run!;
        if (run.ParentRunId is not null && DifferentCall(run, request) is { } difference)
        {
            // Only two calls whose ids share 60 bits of hash get here (or a worker that makes ids some other way).
            throw new WorkflowDeterminismException(RunId,
                $"Workflow run {run.ParentRunId} made the call {RunId}, which is recorded as another call: {difference}. "
              + "The recorded result is not handed to a different call.");
        }

        var restart = run.Status is RunStatus.Failed or RunStatus.Cancelled or RunStatus.TimedOut
                      && request.ParentAttempt > run.ParentAttempt;
        if (!restart) return run;

        // Attempts go on counting: the restarted workflow's calls then carry a newer attempt than any it made before
        // (which is what restarts its own failed children), and its log sequence numbers stay unique.
        await TransitionAsync(run with
        {
            Status = RunStatus.Pending, MaxAttempts = run.Attempt + Math.Max(1, PolicyOf(run).Retry.MaxAttempts), Error = null,
            FinishedAt = null, ParentAttempt = request.ParentAttempt,
        }, $"restarted by attempt {request.ParentAttempt} of run {run.ParentRunId}");
        _terminal = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await DispatchAsync();
        return _run!;
    }

    /// <summary>How the request differs from the call this run records: routine name, pinned version or canonical input.</summary>
    static string? DifferentCall(RunInfo run, RunRequest request)
    {
        var requested = RoutineId.Parse(request.RoutineId);
        if (requested.Name != run.RoutineName) return $"it asks for '{requested.Name}', the record is of '{run.RoutineName}'";
        // A bare name meant the newest version when the call was first made: the version it ran stays its answer.
        if (requested.Version is { } version && version != run.RoutineVersion)
            return $"it asks for version {version}, the record is of {run.RoutineVersion}";
        return CanonicalJson.TryOf(request.InputJson) switch
        {
            null => "its input is not valid JSON",
            var input when input == run.InputJson => null,
            _ => "its input differs from the recorded input",
        };
    }

    static string Following(string leader) => $"waiting for run {leader}, which has the same routine and input: its output will be this run's";

    public async Task IdenticalRunEndedAsync(RunInfo leader)
    {
        await EnsureLoadedAsync();
        if (_run is not { Status: RunStatus.Pending, Attempt: 0 } run) return;
        if (leader.Status == RunStatus.Succeeded)
        {
            RoutinesMetrics.CacheHit(run.RoutineName);
            var now = clock.GetUtcNow();
            await RecordLineageAsync(run, leader.OutputJson, produced: null, read: null, now);
            await TransitionAsync(run with
            {
                Status = RunStatus.Succeeded, OutputJson = leader.OutputJson, CachedFromRunId = leader.RunId, WaitReason = null,
                StartedAt = now, FinishedAt = now,
            }, $"output of identical run {leader.RunId}");
        }
        else if (identical.Join(CacheKeyOf(run), RunId) is { } next)
        {
            await TransitionAsync(run with { WaitReason = Following(next) }, $"identical run {leader.RunId} ended {leader.Status}: waiting for run {next}");
        }
        else
        {
            // Never a failure inherited: the run computes its output itself.
            await DispatchAsync();
        }
    }

    async Task DispatchAsync()
    {
        var grant = Acquire(_run!);
        if (grant.WorkerId is { } worker) await StartOnAsync(_run!, worker);
        else await TransitionAsync(_run! with { WaitReason = grant.WaitReason }, $"waiting: {grant.WaitReason}");
    }

    SlotGrant Acquire(RunInfo run)
    {
        // The catalog's descriptor carries the parsed id: no parse of the record's text on every dispatch.
        var routine = catalog.TryGet(run.RoutineId);
        var policy = PolicyOf(run);
        // Once its routine is known (a run waiting for a worker may not know it yet).
        if (routine is not null) _limits ??= ConcurrencyLimit.SlotsOf(routine, run.InputJson);
        return dispatcher.Acquire(new SlotRequest(RunId, routine?.Id ?? RoutineId.Parse(run.RoutineId), policy.Execution, _callerWorker, policy.Priority, _limits));
    }

    /// <param name="submitted">The submit's event, when the run starts in the turn that submits it and has no record yet.</param>
    async Task StartOnAsync(RunInfo run, string worker, RunEvent? submitted = null)
    {
        var routine = catalog.TryGet(run.RoutineId)
            ?? throw new InvalidOperationException($"Worker {worker} was assigned {run.RoutineId}, which no worker advertised.");
        var attempt = run.Attempt + 1;
        var request = new ExecutionRequest(RunId, attempt, routine.Id, run.InputJson, run.RootRunId, PolicyOf(run).Timeout,
            run.Options?.UseCache == false, run.TraceParent, run.Options?.Priority);
        // Since it became Pending here; a run started in its submit's turn, or read back after a reactivation, counts
        // from its creation (for a retry read back, an over-estimate).
        RoutinesMetrics.Waited(run.RoutineName, clock.GetUtcNow() - (_pendingSince ?? run.CreatedAt));
        _pendingSince = null;
        var recorded = TransitionAsync(run with
        {
            Status = RunStatus.Running, Attempt = attempt, Worker = worker, WaitReason = null,
            StartedAt = run.StartedAt ?? clock.GetUtcNow(),
        }, $"attempt {attempt} started on {dispatcher.NameOf(worker)}", submitted);
        // The start goes out with the write, and the turn waits for the write alone (invariant 3): a worker frozen or
        // killed would hold it until membership declares it dead. A start that fails comes back as StartFailedAsync.
        starts.Send(worker, request);
        await recorded;

        // Kept active while the attempt may run (invariant 3); the watchdog tells the grain if the worker stays silent.
        var silentFor = request.Timeout + WatchdogGrace;
        DelayDeactivation(silentFor);
        watchdog.Watch(RunId, attempt, silentFor);
    }

    public async Task StartFailedAsync(int attempt, StartFailure failure, RunError error)
    {
        await EnsureLoadedAsync();
        if (_run is not { Status: RunStatus.Running, Worker: { } worker } run || run.Attempt != attempt) return;
        var name = dispatcher.NameOf(worker);
        if (failure == StartFailure.Refused)
        {
            await FailAttemptAsync(RunStatus.Failed, error with { Message = $"Worker {name} could not start attempt {attempt}: {error.Message}" });
            return;
        }

        // The routine did not run (its worker's silo died or left between the grant and the start), or may not have (the
        // call timed out: the worker is told to drop the attempt, and a late result of it is stale). No retry is spent;
        // the run waits a moment (by then membership has usually dropped the worker) and is dispatched again.
        if (failure == StartFailure.Unanswered) GrainFactory.Worker(worker).CancelAsync(RunId, attempt).Ignore();
        var what = failure == StartFailure.Unreachable ? "could not be reached to start" : "did not confirm the start of";
        await HandBackAsync($"worker {name} {what} attempt {attempt} ({error.Message})", pause: UnreachableWorkerPause);
    }

    public async Task AttemptOverdueAsync(int attempt)
    {
        await EnsureLoadedAsync();
        if (_run is not { Status: RunStatus.Running } run || run.Attempt != attempt) return;
        var timeout = PolicyOf(run).Timeout;
        await FailAttemptAsync(RunStatus.TimedOut, new RunError(typeof(RoutineTimedOutException).FullName!,
            $"Attempt {attempt} gave no result within its timeout of {timeout} (+{WatchdogGrace.TotalSeconds:0} s grace); "
          + "the routine ignored its cancellation token or its worker stopped answering."));
    }

    /// <summary>Retries the failed attempt if the policy allows, else ends the run as failed or timed out.</summary>
    /// <param name="at">When the attempt ended, if known (its result's arrival); now otherwise.</param>
    async Task FailAttemptAsync(RunStatus status, RunError error, DateTimeOffset? at = null)
    {
        StopTimer();
        var run = _run!;
        if (run.Status == RunStatus.Running && run.Worker is { } worker)
            GrainFactory.Worker(worker).CancelAsync(RunId, run.Attempt).Ignore();

        var retry = PolicyOf(run).Retry;
        var what = status == RunStatus.TimedOut ? "timed out" : "failed";
        // A routine declared wrongly (a service its constructor needs is not registered) fails the same way every time.
        var retryable = !retry.NonRetryableErrors.Contains(error.Type) && error.Type != typeof(RoutineDefinitionException).FullName;
        if (run.Attempt < run.MaxAttempts && retryable)
        {
            var delay = retry.DelayBefore(run.Attempt + 1);
            var reason = $"attempt {run.Attempt} {what} ({error.Root.Message}); retry {run.Attempt + 1} of {run.MaxAttempts} in {delay.TotalSeconds:0.###} s";
            await TransitionAsync(run with { Status = RunStatus.Pending, Error = error, WaitReason = reason }, reason, at: at);
            StartTimer(delay, DispatchAsync);
            return;
        }

        var final = retryable ? $"attempt {run.Attempt} of {run.MaxAttempts} {what}" : $"{what} with a non-retryable {error.Type}";
        var ended = at ?? clock.GetUtcNow();
        await TransitionAsync(run with { Status = status, Error = error, FinishedAt = ended }, final, at: ended);
    }

    /// <summary>The one place a run's status changes: store the record and its history event, then tell listeners.</summary>
    /// <param name="earlier">An event before this one that was not stored on its own (the submit of a run that starts at once).</param>
    /// <param name="at">When the change happened, when it was earlier than now (an attempt's end, timed as its result arrived).</param>
    /// <param name="cacheEntry">The result's cache entry, stored in the same write as the record.</param>
    async Task TransitionAsync(RunInfo next, string reason, RunEvent? earlier = null, DateTimeOffset? at = null, CacheEntry? cacheEntry = null)
    {
        var previous = _run;
        _run = next;
        var changed = previous is null || previous.Status != next.Status || previous.Attempt != next.Attempt;
        if (next.Status == RunStatus.Pending && previous?.Status != RunStatus.Pending) _pendingSince = clock.GetUtcNow();
        List<RunEvent> events = earlier is null ? [] : [earlier];
        if (changed) events.Add(new RunEvent(RunId, at ?? clock.GetUtcNow(), next.Status, next.Attempt, next.Worker, reason));
        await SaveAsync(next, events, cacheEntry);
        hub.Publish(new RunUpdate(next.RootRunId, Run: next));
        if (next.Status.IsTerminal() && previous?.Status.IsTerminal() != true)
        {
            OnTerminal(next);
            if (next.Kind == RoutineKind.Workflow) await CancelUnfinishedChildrenAsync(next);
        }
    }

    /// <summary>Stores the record; once durable it is what readers see, unless a newer save (queued in the same turn) landed first.</summary>
    async Task SaveAsync(RunInfo run, IReadOnlyList<RunEvent> transitions, CacheEntry? cacheEntry = null)
    {
        var change = ++_changes;
        var stored = _savedStatus;
        _savedStatus = run.Status;
        await store.SaveRunAsync(run, transitions, cacheEntry, stored);
        if (change > _recordedChange) (_recorded, _recordedChange, _writtenAt) = (run, change, Stopwatch.GetTimestamp());
    }

    void OnTerminal(RunInfo run)
    {
        RoutinesMetrics.RunFinished(run.RoutineName, run.Status);
        StopTimer();
        _terminal.TrySetResult();
        if (UsesCache(run))
            foreach (var follower in identical.End(CacheKeyOf(run), RunId)) GrainFactory.Run(follower).IdenticalRunEndedAsync(run).Ignore();
        if (run.ParentRunId is { } parent) GrainFactory.Run(parent).ChildFinishedAsync(run).Ignore();
        if (catalog.TryGet(run.RoutineId) is { Triggers.Count: > 0 } routine && routine.TriggersOn(run.Status).Any())
            GrainFactory.Scheduler().RunEndedAsync(run).Ignore();
        DeactivateOnIdle();
    }

    async Task<CacheEntry?> CachedOutputAsync(RunInfo run)
        => UsesCache(run) ? await store.GetCachedAsync(CacheKeyOf(run)) : null;

    bool UsesCache(RunInfo run) => PolicyOf(run).Cache;

    /// <summary>
    /// The policy the run was submitted under. A run recorded before policies were stored gets it resolved as it was
    /// then, from its options and the routine's current declaration (the defaults when no worker offers it now).
    /// </summary>
    RunPolicy PolicyOf(RunInfo run)
    {
        if (run.Policy is { } policy) return policy;
        if (catalog.TryGet(run.RoutineId) is { } routine) return RunPolicy.Of(run.Options, routine);
        var options = run.Options;
        return new RunPolicy(options?.Retry ?? new RetryPolicy(), options?.Timeout ?? TimeoutAttribute.DefaultFor(run.Kind),
            run.Kind == RoutineKind.Task && (options?.UseCache ?? true), options?.Execution ?? ExecutionPolicy.Remote, options?.Priority ?? 0);
    }

    // A run's routine and input never change: its key is hashed once (a cacheable submit looks it up, joins identical
    // runs in flight by it, and stores and announces its result under it).
    string CacheKeyOf(RunInfo run) => _cacheKey ??= CacheKey.For(RoutineId.Parse(run.RoutineId), run.InputJson);

    void StartTimer(TimeSpan dueTime, Func<Task> callback)
    {
        StopTimer();
        // A timer's tick starts where a call does, after a submit in progress (EnsureLoadedAsync).
        _timer = this.RegisterGrainTimer(async _ =>
        {
            await EnsureLoadedAsync();
            await callback();
        }, new GrainTimerCreationOptions
        {
            DueTime = dueTime, Period = Timeout.InfiniteTimeSpan, KeepAlive = true,
        });
    }

    /// <summary>Stops the run's timer and the watch on its attempt: whatever the run waited for is settled.</summary>
    void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
        watchdog.Forget(RunId);
    }

    /// <summary>
    /// The run as recorded, for a reader. A finished run's record is read from the store again for each reader (unless
    /// this call just read it, or this grain wrote it within <see cref="FinishedRecordKept"/>): retention (another
    /// process) may have removed the run, which the grain would otherwise go on answering for. The grain stays for the
    /// readers that come together; one that left after every read had concurrent readers chase its next activations,
    /// and Orleans rejects a call forwarded twice.
    /// </summary>
    /// <param name="readNow">This call read the record from the store.</param>
    async Task<RunInfo?> AnswerAsync(bool readNow)
    {
        if (!readNow && _recorded is { Status: var status } recorded && status.IsTerminal() && ReferenceEquals(_run, recorded)
            && Stopwatch.GetElapsedTime(_writtenAt) > FinishedRecordKept)
        {
            var stored = await store.GetRunAsync(RunId);
            // Unless a call meanwhile changed the run (a replay restarting a failed child), which its own write records.
            if (ReferenceEquals(_recorded, recorded) && ReferenceEquals(_run, recorded)) (_recorded, _run) = (stored, stored);
        }

        if (_recorded is null) await ThrowIfRemovedAsync();
        return _recorded;
    }

    /// <summary>A run the store does not hold may have been removed by retention: say so, rather than that it never was.</summary>
    async Task ThrowIfRemovedAsync()
    {
        if (await store.GetRemovedAtAsync(RunId) is { } removedAt) throw new RunRemovedException(RunId, removedAt);
    }

    /// <summary>Where every call starts: after a submit in progress from <see cref="ExecuteAsync"/>, the record, read once.</summary>
    Task EnsureLoadedAsync() => _submitting is { } submitting ? LoadAfterAsync(submitting) : LoadOnceAsync();

    async Task LoadAfterAsync(Task submitting)
    {
        await submitting;
        await LoadOnceAsync();
    }

    /// <summary>Reads the record once; a read that failed (the database away) is made again by the next call, not kept.</summary>
    Task LoadOnceAsync() => ReadsRecord ? _loading = LoadAsync() : _loading!;

    /// <summary>True when the next <see cref="EnsureLoadedAsync"/> reads the record from the store.</summary>
    bool ReadsRecord => _loading is not { IsFaulted: false };

    async Task LoadAsync()
    {
        _recorded = _run ??= await store.GetRunAsync(RunId);
        _savedStatus ??= _recorded?.Status;
    }
}
