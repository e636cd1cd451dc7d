using Routines.Client;
using Routines.Worker.Commands;

namespace Routines.Worker.Tests;

public sealed class RunReportTests
{
    static RunInfo Ended(RunStatus status, int attempt) => new()
    {
        RunId = "r1", RoutineId = "tname:fit:1.0.0", RoutineName = "fit", RoutineVersion = "1.0.0", Kind = RoutineKind.Task,
        Status = status, Attempt = attempt, MaxAttempts = 3, InputJson = "{}", RootRunId = "r1", CreatedAt = DateTimeOffset.UnixEpoch,
        Error = new RunError("System.TimeoutException", "too slow"),
    };

    [Theory]
    [InlineData(RunStatus.TimedOut, 1, "fit@1.0.0 (run r1) timed out after 1 attempt: System.TimeoutException: too slow")]
    [InlineData(RunStatus.Failed, 3, "fit@1.0.0 (run r1) failed after 3 attempts: System.TimeoutException: too slow")]
    [InlineData(RunStatus.Cancelled, 2, "fit@1.0.0 (run r1) was cancelled after 2 attempts: System.TimeoutException: too slow")]
    public void TheEndOfAFailedRun_IsSaidInWords(RunStatus status, int attempt, string expected)
    {
        Assert.StartsWith(expected, RunRoutineCommand.Describe(Ended(status, attempt)));
    }
}
