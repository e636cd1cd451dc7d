using Routines.Client;
using Routines.Silo.Storage.Sqlite;
using Routines.Tests.Shared;
using Xunit.Abstractions;

namespace Routines.Silo.Tests.Local;

/// <summary><c>run-routine</c> of a test project (tests/Apps/WorkerAlpha) as a real process, for what only a process shows.</summary>
public sealed class RunRoutineProcessTests(ITestOutputHelper output) : IDisposable
{
    readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("routines-run-routine-");

    public void Dispose() => _directory.Delete(recursive: true);

    string StorePath => Path.Combine(_directory.FullName, "routines.db");

    TestProcess RunRoutine(params string[] args) => TestProcess.Start(BuildOutput.Dll("tests/Apps/WorkerAlpha", "WorkerAlpha.dll"), _directory.FullName,
        ["run-routine", .. args, "--store", StorePath]);

    /// <summary>
    /// A routine that ignores its token keeps its thread after its timeout; run-routine used to wait for it (the
    /// worker's shutdown grace, 30 s, and more) after printing the result: 48 s for a 1 s timeout. It exits now at
    /// once, and the routine's thread ends with the process.
    /// </summary>
    [Fact]
    public async Task ARoutineIgnoringItsTimeout_RunRoutineExitsRightAfterTheResult()
    {
        using var process = RunRoutine("spin", "--set", "key=spin", "--set", "seconds=600");

        await process.WaitForOutputAsync("timed out after 1 attempt", TimeSpan.FromSeconds(60));
        // The routine spins for 10 minutes: a minute tells waiting for it from exiting after the result, on any machine.
        var exited = await Task.WhenAny(process.WaitForExitAsync(TimeSpan.FromSeconds(70)), Task.Delay(TimeSpan.FromSeconds(60)));
        output.WriteLine(process.Stdout + process.Stderr);
        Assert.True(exited.IsCompletedSuccessfully && exited is Task<int>, "run-routine was still running a minute after it printed the result");
        Assert.Equal(4, await (Task<int>)exited);
    }

    /// <summary>
    /// A local run whose process died (the routine called Environment.Exit; kill -9) used to stay Running for ever.
    /// The process exits with the routine's code (or 137), and the next local run on the store closes both runs as
    /// Failed, saying which process ended under them.
    /// </summary>
    [Fact]
    public async Task RunsWhoseProcessDied_AreClosedAsAbandonedByTheNextLocalRun()
    {
        using (var exiting = RunRoutine("exit_process", "--set", "key=exiting", "--set", "exitCode=3"))
            Assert.Equal(3, await exiting.WaitForExitAsync());
        using (var killed = RunRoutine("step", "--set", "key=killed", "--set", "milliseconds=600000"))
        {
            await killed.WaitForOutputAsync("attempt 1/", TimeSpan.FromSeconds(60));
            // The console line comes before the store's commit: kill only once the run is recorded as running.
            await Eventually.TrueAsync(async () =>
            {
                await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={StorePath};Pooling=False");
                await connection.OpenAsync();
                await using var count = connection.CreateCommand();
                count.CommandText = "SELECT COUNT(*) FROM runs WHERE routine_name = 'step' AND status = 'Running'";
                return (long)(await count.ExecuteScalarAsync())! == 1;
            }, TimeSpan.FromSeconds(60), "the killed step recorded as running");
            killed.KillHard();
            await killed.WaitForExitAsync();
        }

        using (var next = RunRoutine("step", "--set", "key=next", "--set", "milliseconds=1"))
        {
            Assert.Equal(0, await next.WaitForExitAsync());
            output.WriteLine(next.Stdout + next.Stderr);
        }

        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = StorePath });
        await store.InitializeAsync();
        var runs = (await store.ListRunsAsync(new RunFilter { Take = 10 })).Runs;
        Assert.Empty(await store.ListUnfinishedRunsAsync());
        foreach (var routine in new[] { "exit_process", "step" })
        {
            var abandoned = runs.FirstOrDefault(r => r.RoutineName == routine && r.Status != RunStatus.Succeeded);
            Assert.True(abandoned is not null, $"no unsucceeded {routine} run among: {string.Join(", ", runs.Select(r => $"{r.RoutineName} {r.Status}"))}");
            Assert.Equal(RunStatus.Failed, abandoned!.Status);
            Assert.StartsWith("Abandoned: process ", abandoned.Error?.Message);
        }
    }
}
