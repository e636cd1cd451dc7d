using Routines.Tests.Shared;
using Xunit.Abstractions;

namespace Routines.Silo.Tests.Local;

/// <summary><c>run-routine</c> of a test project (tests/Apps/WorkerAlpha) as a real process, for what only a process shows.</summary>
public sealed class RunRoutineProcessTests(ITestOutputHelper output) : IDisposable
{
    readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("routines-run-routine-");

    public void Dispose() => _directory.Delete(recursive: true);

    TestProcess RunRoutine(params string[] args) => TestProcess.Start(BuildOutput.Dll("tests/Apps/WorkerAlpha", "WorkerAlpha.dll"), _directory.FullName,
        ["run-routine", .. args, "--store", Path.Combine(_directory.FullName, "routines.db")]);

    /// <summary>
    /// A routine that ignores its token keeps its thread after its timeout; run-routine used to wait for it (the
    /// worker's shutdown grace, 30 s, and more) after printing the result: 48 s for a 1 s timeout. It exits now at
    /// once, and the routine's thread ends with the process.
    /// </summary>
    [Fact]
    public async Task ARoutineIgnoringItsTimeout_RunRoutineExitsRightAfterTheResult()
    {
        using var process = RunRoutine("spin", "--set", "key=spin", "--set", "seconds=600");

        await process.WaitForOutputAsync("timedout after 1 attempt", TimeSpan.FromSeconds(60));
        var exited = await Task.WhenAny(process.WaitForExitAsync(TimeSpan.FromSeconds(20)), Task.Delay(TimeSpan.FromSeconds(15)));
        output.WriteLine(process.Stdout + process.Stderr);
        Assert.True(exited.IsCompletedSuccessfully && exited is Task<int>, "run-routine was still running 15 s after it printed the result");
        Assert.Equal(4, await (Task<int>)exited);
    }
}
