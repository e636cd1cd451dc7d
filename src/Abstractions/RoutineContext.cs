using Microsoft.Extensions.Logging;

namespace Routines;

/// <summary>What a running routine can see and report: its identity, a logger, progress, metrics and cancellation.</summary>
public abstract class RoutineContext
{
    /// <summary>The id of this run.</summary>
    public abstract string RunId { get; }

    /// <summary>The id of the routine being run, for example <c>tname:train_model:1.2.0</c>.</summary>
    public abstract string RoutineId { get; }

    /// <summary>1 for the first attempt, 2 for the first retry, and so on.</summary>
    public abstract int Attempt { get; }

    /// <summary>Lines written here are stored with the run and streamed live to the CLI and console.</summary>
    public abstract ILogger Logger { get; }

    /// <summary>Signalled when the run is cancelled or exceeds its timeout.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Reports how far the run is, for example epoch 3 of 10.</summary>
    public abstract void ReportProgress(long current, long total, string? message = null);

    /// <summary>Records one point of a metric series, for example the loss at a training step.</summary>
    public abstract void LogMetric(string name, double value, long? step = null);

    /// <summary>The artifact store: save datasets, models and plots, and read the ones an input names.</summary>
    public abstract RoutineArtifacts Artifacts { get; }
}
