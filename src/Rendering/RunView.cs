using Routines.Client;

namespace Routines.Rendering;

/// <summary>What the printer shows of a run; run-routine has it from a <see cref="RunInfo"/>, the command line from the HTTP API.</summary>
internal sealed record RunView(
    string RunId, string? ParentRunId, string RoutineId, string RoutineName, string RoutineVersion, RunStatus Status,
    int Attempt, int MaxAttempts, string? WaitReason, string? CachedFromRunId, TimeSpan? Duration, RunError? Error, RunProgress? Progress)
{
    public static RunView From(RunInfo run) => new(
        run.RunId, run.ParentRunId, run.RoutineId, run.RoutineName, run.RoutineVersion, run.Status, run.Attempt, run.MaxAttempts,
        run.WaitReason, run.CachedFromRunId, run.Duration, run.Error, run.Progress);
}
