using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Routines.Client;
using Routines.Cluster;
using Routines.Worker.Catalog;

namespace Routines.Worker.Execution;

/// <summary>One attempt of a run executing on this worker: its request, cancellation, telemetry and awaited children.</summary>
internal sealed class Attempt(ExecutionRequest request, RegisteredRoutine routine, TelemetryBuffer telemetry, Silo.Artifacts.ArtifactStore artifacts, TimeProvider clock) : IDisposable
{
    public ExecutionRequest Request { get; } = request;

    public RegisteredRoutine Routine { get; } = routine;

    /// <summary>The concurrency limits the attempt counts against, reported so that a restarted service counts them.</summary>
    public IReadOnlyList<LimitSlot> Limits => field ??= ConcurrencyLimit.SlotsOf(Routine.Descriptor, Request.InputJson);

    public TelemetryBuffer Telemetry { get; } = telemetry;

    public ILogger Logger { get; } = new RunLogger(telemetry);

    /// <summary>Cancelled on request or at the timeout (on the engine's clock, which a test may drive).</summary>
    public CancellationTokenSource Cancellation { get; } = new(Timeout.InfiniteTimeSpan, clock);

    AttemptArtifacts? _artifacts;

    /// <summary>The artifacts the attempt saves and reads, through the store, recorded for the run's lineage.</summary>
    public AttemptArtifacts Artifacts => _artifacts ??= new AttemptArtifacts(artifacts, Cancellation.Token);

    /// <summary>The result with the attempt's lineage, if it touched the store (most attempts never do, and pay nothing).</summary>
    public AttemptResult WithLineage(AttemptResult result) => _artifacts?.Recorded(result) ?? result;

    /// <summary>The store's failure during the attempt, if any: the attempt's error, whatever the routine made of it.</summary>
    public ArtifactUnavailableException? StoreFailure => _artifacts?.Failure;

    /// <summary>True once the cancellation came from a cancel request rather than the timeout.</summary>
    public bool CancelRequested { get; private set; }

    /// <summary>Children this workflow attempt waits for, by child run id.</summary>
    public ConcurrentDictionary<string, TaskCompletionSource<ChildOutcome>> Children { get; } = new();

    /// <summary>True once the worker gave the attempt back because it is stopping.</summary>
    public bool HandedBack { get; private set; }

    public void Cancel()
    {
        CancelRequested = true;
        Cancellation.Cancel();
    }

    public void HandBack()
    {
        HandedBack = true;
        Cancellation.Cancel();
    }

    public void Dispose() => Cancellation.Dispose();
}
