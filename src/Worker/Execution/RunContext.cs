using Microsoft.Extensions.Logging;

namespace Routines.Worker.Execution;

/// <summary>The context of a task attempt.</summary>
internal sealed class RunContext(Attempt attempt) : RoutineContext
{
    public override string RunId => attempt.Request.RunId;

    public override string RoutineId => attempt.Request.Routine.ToString();

    public override int Attempt => attempt.Request.Attempt;

    public override ILogger Logger => attempt.Logger;

    public override CancellationToken CancellationToken => attempt.Cancellation.Token;

    public override void ReportProgress(long current, long total, string? message = null) => attempt.Telemetry.Progress(current, total, message);

    public override void LogMetric(string name, double value, long? step = null) => attempt.Telemetry.Metric(name, value, step);

    public override RoutineArtifacts Artifacts => attempt.Artifacts;
}
