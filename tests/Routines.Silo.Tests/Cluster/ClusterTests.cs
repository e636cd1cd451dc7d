using System.Text.Json;
using Npgsql;
using Routines.Client;
using Routines.Cluster;
using Routines.Serialization;
using Routines.Silo.Tests.Fixtures;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Cluster;

/// <summary>A service and two worker processes from different projects, on PostgreSQL.</summary>
[Collection("cluster")]
public sealed class ClusterTests(ClusterFixture cluster, Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    public void Dispose() => output.WriteLine(cluster.Logs());

    static string Key() => Guid.NewGuid().ToString("N")[..12];

    static string Json(object input) => JsonSerializer.Serialize(input, RoutineJson.Default);

    async Task<RunInfo> RunAsync(string routine, object input)
    {
        var handle = await cluster.Client.SubmitAsync(routine, Json(input));
        return await handle.WaitAsync().WaitAsync(TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// Readers of a finished run that come together (a console page, API clients) are all answered. The run's grain
    /// used to leave memory after every read: the next readers chased its activations, and Orleans rejected a read
    /// forwarded twice (the HTTP API answered 500).
    /// </summary>
    [Fact]
    public async Task AFinishedRun_ReadByManyAtOnce_AnswersEveryReader()
    {
        var run = await RunAsync("step", new { key = Key(), milliseconds = 1 });
        using var http = new HttpClient();

        for (var round = 0; round < 10; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
            {
                using var answer = await http.GetAsync($"{cluster.ApiBase}/runs/{run.RunId}");
                return ((int)answer.StatusCode, await answer.Content.ReadAsStringAsync());
            }));
            Assert.All(answers, a => Assert.True(a.Item1 == 200, $"round {round}: {a.Item1} {a.Item2}"));
        }
    }

    /// <summary>
    /// <c>ExecuteAsync</c> submits a new run inside its own call, which Orleans lets other calls overlap: every call that
    /// comes meanwhile waits for the submit. Here the submit's write is held (the runs table locked) after the worker has
    /// run the task, and a reader asks: it is answered with the run once the write lands, not told there is no such run,
    /// and the result that came meanwhile is applied after the start.
    /// </summary>
    [Fact]
    public async Task CallsThatComeWhileExecuteSubmits_WaitForTheSubmit()
    {
        var key = Key();
        var run = cluster.Grains.GetGrain<IRunGrain>("held-" + key);
        await using var db = new NpgsqlConnection(cluster.ConnectionString);
        await db.OpenAsync();
        await using var holding = await db.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("LOCK TABLE runs IN EXCLUSIVE MODE", db, holding)) await hold.ExecuteNonQueryAsync();

        var executing = run.ExecuteAsync(new RunRequest { RoutineId = "step", InputJson = Json(new { key, milliseconds = 1 }) }, TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(() => Task.FromResult(cluster.Executions().ContainsKey(key)), TimeSpan.FromSeconds(30), "the worker to run the task");
        var reading = run.GetAsync();
        // Overlapping the submit, the reader would be answered at once: nothing recorded, no such run.
        await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(2)));
        Assert.False(reading.IsCompleted, "the reader was answered while the submit's write was held");
        await holding.RollbackAsync();

        var read = await reading.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(read);
        Assert.Equal(RunStatus.Succeeded, (await executing.WaitAsync(TimeSpan.FromSeconds(30))).Status);
        var history = (await cluster.Client.GetHistoryAsync(read.RunId)).Select(e => e.Status).ToList();
        Assert.Equal([RunStatus.Pending, RunStatus.Running, RunStatus.Succeeded], history);
    }

    /// <summary>
    /// The same keyed execute sent many times at once (<c>Task.WhenAll</c> of a client's retries): the first submits in its
    /// own call, the others, arriving meanwhile, wait their turn and attach. One run, executed once, for all of them.
    /// </summary>
    /// <summary>
    /// Runs through the whole engine — a fan-out queued past the workers' slots, a failure, a cache hit, a cancel, runs
    /// submitted together — leave the kept counts equal to the rows: each grain tells the store the status each save
    /// replaces, and the store counts from that (decision #76). Compared in one statement, so one snapshot.
    /// </summary>
    [Fact]
    public async Task RunsThroughTheEngine_LeaveTheKeptCountsEqualToTheRows()
    {
        var key = Key();
        var cached = Json(new { key = $"{key}-echo", milliseconds = 0 });
        var fan = RunAsync("fan", new { key = $"{key}-fan", children = 40, milliseconds = 20 });
        var failed = RunAsync("hostile", new { key = $"{key}-hostile", milliseconds = 0 });
        var steps = Task.WhenAll(Enumerable.Range(0, 20).Select(i => RunAsync("step", new { key = $"{key}-step{i}", milliseconds = 10 })));
        var echo = await cluster.Client.ExecuteAsync("echo", cached);
        var hit = await cluster.Client.ExecuteAsync("echo", cached);
        var cancelled = await cluster.Client.SubmitAsync("step", Json(new { key = $"{key}-cancelled", milliseconds = 60_000 }));
        await cluster.Client.CancelAsync(cancelled.RunId);

        Assert.Equal(RunStatus.Succeeded, (await fan).Status);
        Assert.Equal(RunStatus.Failed, (await failed).Status);
        Assert.All(await steps, run => Assert.Equal(RunStatus.Succeeded, run.Status));
        Assert.Equal(echo.RunId, hit.CachedFromRunId);
        Assert.Equal(RunStatus.Cancelled, (await cancelled.WaitAsync().WaitAsync(TimeSpan.FromMinutes(1))).Status);

        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var compare = new NpgsqlCommand("""
            SELECT coalesce(k.routine_name, c.routine_name) || ' ' || coalesce(k.status, c.status) || ' root ' || coalesce(k.root, c.root)
                   || ': kept ' || coalesce(k.runs, 0) || ', counted ' || coalesce(c.runs, 0)
            FROM (SELECT routine_name, status, root, runs FROM run_counts WHERE runs <> 0) AS k
            FULL JOIN (SELECT routine_name, status, parent_run_id IS NULL AS root, count(*) AS runs FROM runs GROUP BY 1, 2, 3) AS c
                ON k.routine_name = c.routine_name AND k.status = c.status AND k.root = c.root
            WHERE k.runs IS DISTINCT FROM c.runs
            """, connection);
        var differences = new List<string>();
        await using (var reader = await compare.ExecuteReaderAsync())
            while (await reader.ReadAsync()) differences.Add(reader.GetString(0));
        Assert.Empty(differences);
    }

    [Fact]
    public async Task TheSameKeyedExecute_SentManyTimesAtOnce_IsOneRun_ExecutedOnce()
    {
        var key = Key();
        var input = Json(new { key, milliseconds = 200 });
        var options = new CallOptions { IdempotencyKey = $"at-once-{key}" };

        var runs = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ => await cluster.Client.ExecuteAsync("step", input, options)))
            .WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Single(runs.Select(r => r.RunId).Distinct());
        Assert.All(runs, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        Assert.Equal(1, cluster.Executions().GetValueOrDefault(key));
    }

    [Fact]
    public void TheService_SaysWhereItListensAndWhereItsStoreIs_WithoutOrleansNotesThatDoNotApply()
    {
        var printed = cluster.Service.Stdout + cluster.Service.Stderr;

        Assert.Contains($"Routines service listening on 127.0.0.1: silo port", printed);
        Assert.Contains($"gateway port {cluster.GatewayPort}, HTTP API port {cluster.HttpPort}; run store: PostgreSQL (host 127.0.0.1:{cluster.Postgres.Port}, database cluster", printed);
        Assert.DoesNotContain("Password", printed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ServerGC", printed);
        Assert.DoesNotContain("Participant check thread", printed);
    }

    [Fact]
    public async Task RoutineOnlyOneProjectHas_RunsOnlyOnThatProjectsWorker()
    {
        for (var i = 0; i < 4; i++)
        {
            var alpha = await RunAsync("alpha_only", new { name = "a" });
            var beta = await RunAsync("beta_only", new { name = "b" });

            Assert.Equal(RunStatus.Succeeded, alpha.Status);
            Assert.Equal(RunStatus.Succeeded, beta.Status);
            Assert.Contains("\"worker\":\"alpha\"", alpha.OutputJson);
            Assert.Contains("\"worker\":\"beta\"", beta.OutputJson);
        }
    }

    [Fact]
    public async Task Workers_AdvertiseTheirRoutines_AndReportStatus()
    {
        var workers = await cluster.WaitForWorkersAsync(2, ws => ws.Any(w => w.Name == "alpha") && ws.Any(w => w.Name == "beta"));

        var alpha = workers.Single(w => w.Name == "alpha");
        Assert.Contains("tname:alpha_only:1.0.0", alpha.Routines);
        Assert.DoesNotContain("tname:beta_only:1.0.0", alpha.Routines);
        Assert.Contains("wfname:pipeline:1.0.0", alpha.Routines);
        Assert.Equal(2, alpha.Slots);
        Assert.True(DateTimeOffset.UtcNow - alpha.LastHeartbeat < TimeSpan.FromSeconds(10));
        var routines = await cluster.Client.ListRoutinesAsync();
        Assert.Contains(routines, r => r.Id.ToString() == "tname:beta_only:1.0.0");
    }

    [Fact]
    public async Task ParallelTasks_SpreadOverBothWorkers()
    {
        var key = Key();
        var run = await RunAsync("fan", new { key, children = 8, milliseconds = 300 });

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var children = await cluster.Client.ListChildrenAsync(run.RunId);
        Assert.Equal(8, children.Count);
        Assert.Equal(2, children.Select(c => c.Worker).Distinct().Count());
    }

    [Fact]
    public async Task WhenSlotsAreFull_RunsWaitAsPendingWithTheirPlaceInLine()
    {
        var key = Key();
        // Two workers × two slots: the fifth and sixth tasks must wait.
        var handles = new List<RunHandle>();
        for (var i = 0; i < 6; i++)
            handles.Add(await cluster.Client.SubmitAsync("step", Json(new { key = $"{key}-{i}", milliseconds = 1500 })));

        var waiting = await Eventually.ReturnsAsync(async () =>
        {
            var runs = await Task.WhenAll(handles.Select(h => cluster.Client.GetRunAsync(h.RunId)));
            var pending = runs.Where(r => r!.Status == RunStatus.Pending).ToList();
            return pending.Count == 2 ? pending : null;
        }, TimeSpan.FromSeconds(10), "two Pending runs");

        Assert.All(waiting, r => Assert.Matches(@"^all \d capable workers? (is|are) busy, \d+ ahead in line at priority 0$", r!.WaitReason));
        var done = await Task.WhenAll(handles.Select(h => h.WaitAsync())).WaitAsync(TimeSpan.FromSeconds(90));
        Assert.All(done, r => Assert.Equal(RunStatus.Succeeded, r.Status));
    }

    [Fact]
    public async Task UnknownRoutine_IsRefusedAtSubmit_OrWaitsWhenAsked()
    {
        var error = await Assert.ThrowsAsync<RoutineNotFoundException>(() => cluster.Client.SubmitAsync("gamma_only", "{}"));
        Assert.Contains("No live worker offers a routine named 'gamma_only'", error.Message);

        var notYet = await Assert.ThrowsAsync<RoutineNotFoundException>(() => cluster.Client.SubmitAsync("tname:alpha_only:2.0.0", """{"name":"x"}"""));
        Assert.Contains("workers offer tname:alpha_only:1.0.0", notYet.Message);
    }

    [Fact]
    public async Task LogsCanBeReadAndFollowed_AndHistoryShowsTheWorker()
    {
        var run = await RunAsync("pipeline", new { key = Key(), steps = 2, milliseconds = 10 });

        var history = await cluster.Client.GetHistoryAsync(run.RunId);
        Assert.Contains(history, h => h.Status == RunStatus.Running && h.Worker is not null);
        var page = await cluster.Client.ListRunsAsync(new RunFilter { RootRunId = run.RunId });
        Assert.Equal(3, page.Total);
    }

    [Fact]
    public async Task LocalExecutionPolicy_RunsChildrenOnTheCallingWorker()
    {
        var run = await RunAsync("local_fan", new { key = Key(), children = 6, milliseconds = 200 });

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var children = await cluster.Client.ListChildrenAsync(run.RunId);
        Assert.Equal(6, children.Count);
        Assert.All(children, c => Assert.Equal(run.Worker, c.Worker));
    }

    [Fact]
    public async Task PreferLocalPolicy_RunsChildrenOnTheCallingWorkerWhileItHasAFreeSlot_AndElsewhereAfter()
    {
        // Both workers have two free slots. Remote (the default) would spread two children one per worker.
        var two = await RunAsync("prefer_local_fan", new { key = Key(), children = 2, milliseconds = 1000 });
        // The third child finds its workflow's worker full and goes to the other.
        var three = await RunAsync("prefer_local_fan", new { key = Key(), children = 3, milliseconds = 1000 });

        Assert.Equal(RunStatus.Succeeded, two.Status);
        Assert.All(await cluster.Client.ListChildrenAsync(two.RunId), c => Assert.Equal(two.Worker, c.Worker));
        Assert.Equal(RunStatus.Succeeded, three.Status);
        var children = await cluster.Client.ListChildrenAsync(three.RunId);
        Assert.Equal(2, children.Count(c => c.Worker == three.Worker));
        Assert.Single(children, c => c.Worker != three.Worker);
    }

    [Fact]
    public async Task AWorkerWaitingOnlyOnChildren_IsHanging_WhileTheWorkerRunningThemIsWorking()
    {
        var handle = await cluster.Client.SubmitAsync("alpha_waits_on_beta", Json(new { name = Key(), milliseconds = 3000 }));

        await Eventually.TrueAsync(async () =>
        {
            var workers = await cluster.Client.ListWorkersAsync();
            return workers.Any(w => w is { Name: "alpha", Status: WorkerStatus.Hanging }) && workers.Any(w => w is { Name: "beta", Status: WorkerStatus.Working });
        }, TimeSpan.FromSeconds(20), "alpha HANGING and beta WORKING");
        var run = await handle.WaitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Contains("\"worker\":\"beta\"", run.OutputJson);
        await Eventually.TrueAsync(async () => (await cluster.Client.ListWorkersAsync()).All(w => w.Status == WorkerStatus.Idle),
            TimeSpan.FromSeconds(20), "both workers IDLE again");
    }
}
