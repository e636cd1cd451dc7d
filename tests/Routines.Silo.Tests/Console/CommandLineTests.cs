using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Routines.Client;
using Routines.Silo.Hosting;
using Routines.Silo.Tests.Fixtures;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Console;

/// <summary>The built <c>routines</c> tool run as a process against a real service, workers and PostgreSQL.</summary>
public sealed partial class CommandLineTests(CommandLineTests.Cluster cluster, Xunit.Abstractions.ITestOutputHelper output)
    : IClassFixture<CommandLineTests.Cluster>, IDisposable
{
    /// <summary>One cluster for every command line test, with a read and an operate token.</summary>
    public sealed class Cluster : ClusterFixture, IAsyncLifetime
    {
        public string ReadToken { get; private set; } = null!;

        public string OperateToken { get; private set; } = null!;

        public new async Task InitializeAsync()
        {
            await base.InitializeAsync();
            ReadToken = await CreateTokenAsync("cli-read", "read");
            OperateToken = await CreateTokenAsync("cli-operate", "operate");
        }

        async Task<string> CreateTokenAsync(string name, string scope)
        {
            var (exitCode, printed) = await ServiceVerbAsync("token", "create", "--name", name, "--scope", scope);
            Assert.True(exitCode == 0, printed);
            return printed.Split('\n').Single(l => l.StartsWith("rtk_", StringComparison.Ordinal)).Trim();
        }
    }

    sealed record Outcome(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
    }

    readonly List<TestProcess> _processes = [];

    string Server => $"http://127.0.0.1:{cluster.HttpPort}";

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            output.WriteLine($"--- routines ({process.Name}) ---\n{process.Stdout}{process.Stderr}");
            process.Dispose();
        }
    }

    /// <summary>
    /// Starts <c>routines args…</c> with the operate token, unless <paramref name="connect"/> is false (then only the
    /// environment says where to connect). A config file of its own keeps the user's contexts out.
    /// </summary>
    TestProcess Start(IEnumerable<string> args, bool connect = true, Dictionary<string, string>? environment = null)
    {
        var env = new Dictionary<string, string>
        {
            ["ROUTINES_CONFIG"] = Path.Combine(Path.GetTempPath(), $"routines-none-{Guid.NewGuid():N}.json"),
            ["ROUTINES_SERVER"] = "", ["ROUTINES_TOKEN"] = "",
        };
        foreach (var (key, value) in environment ?? []) env[key] = value;
        string[] connection = connect ? ["--server", Server, "--token", cluster.OperateToken] : [];
        var process = TestProcess.Start(BuildOutput.Dll("src/Console", "Routines.Console.dll"), BuildOutput.RepositoryRoot,
            [.. args, .. connection], env, string.Join(' ', args));
        _processes.Add(process);
        return process;
    }

    async Task<Outcome> RoutinesAsync(params string[] args) => await OutcomeAsync(Start(args));

    static async Task<Outcome> OutcomeAsync(TestProcess process)
    {
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(90));
        return new Outcome(exitCode, process.Stdout, process.Stderr);
    }

    static string Key() => "cli-" + Guid.NewGuid().ToString("N")[..8];

    async Task<string> DetachAsync(string routine, object input)
    {
        var outcome = await RoutinesAsync("run", routine, "--input", System.Text.Json.JsonSerializer.Serialize(input), "--detach");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        return outcome.Stdout.Trim();
    }

    static void AssertOneErrorLine(Outcome outcome, int exitCode, string contains)
    {
        Assert.True(outcome.ExitCode == exitCode, outcome.ToString());
        var lines = outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal) && lines[0].Contains(contains), outcome.ToString());
    }

    [GeneratedRegex(@"^Run (\S+) of", RegexOptions.Multiline)]
    private static partial Regex RunLine();

    [Fact]
    public async Task AFileUploaded_IsReadByARun_ListedWithIt_AndDownloadedIntact_AndALargeOutputPrintsWhole()
    {
        var directory = Directory.CreateTempSubdirectory("routines-cli-artifacts-").FullName;
        var file = Path.Combine(directory, "data.csv");
        await File.WriteAllTextAsync(file, string.Concat(Enumerable.Range(0, 1000).Select(i => $"{i},{i * i}\n")));

        var put = await RoutinesAsync("artifacts", "put", file);
        Assert.True(put.ExitCode == 0, put.ToString());
        var reference = System.Text.Json.Nodes.JsonNode.Parse(put.Stdout)!;
        Assert.Equal(("text/csv", "data.csv"), (reference["mediaType"]!.GetValue<string>(), reference["name"]!.GetValue<string>()));

        var run = await RoutinesAsync("run", "beta_read_blob", "--input", $$"""{"blob":{{reference.ToJsonString()}}}""");
        Assert.True(run.ExitCode == 0, run.ToString());
        var runId = RunLine().Match(run.Stdout).Groups[1].Value;
        var listed = await RoutinesAsync("artifacts", "list", runId);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains("data.csv", listed.Stdout);
        Assert.Contains("read", listed.Stdout);

        var copy = Path.Combine(directory, "copy.csv");
        var get = await RoutinesAsync("artifacts", "get", reference["artifact"]!.GetValue<string>(), "--output", copy);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(copy));

        var unknown = await RoutinesAsync("artifacts", "get", "sha256:" + new string('e', 64));
        AssertOneErrorLine(unknown, 8, "No run records artifact");

        // An output the engine stored as an artifact prints whole, not as its stand-in.
        var lines = await RoutinesAsync("run", "many_lines", "--set", "count=4000");
        Assert.True(lines.ExitCode == 0, lines.ToString());
        Assert.Contains("line 3999 ", lines.Stdout);
        Assert.DoesNotContain("$offloaded", lines.Stdout);
    }

    [Fact]
    public async Task RunFollow_PrintsLogLinesLive_ThenTheResult_AndExitsZero()
    {
        var key = Key();
        var outcome = await RoutinesAsync("run", "chatty", "--set", $"key={key}", "--set", "lines=3", "--set", "milliseconds=50");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"line 1 of {key}", outcome.Stdout);
        Assert.Contains($"line 3 of {key}", outcome.Stdout);
        Assert.Contains("Succeeded", outcome.Stdout);
        Assert.Equal("3", outcome.Stdout.TrimEnd().Split('\n')[^1].Trim());
    }

    [Fact]
    public async Task RunFollow_OfAWorkflow_PrintsItsChildren_AndTheResultJson()
    {
        var outcome = await RoutinesAsync("run", "pipeline", "--input", $$"""{"key": "{{Key()}}", "steps": 2, "milliseconds": 10}""");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal(2, Regex.Matches(outcome.Stdout, @"step@\S+ Succeeded").Count);
        var result = JsonNode.Parse(outcome.Stdout[outcome.Stdout.IndexOf("{\n", StringComparison.Ordinal)..])!;
        Assert.Equal(2, result["steps"]!.AsArray().Count);
    }

    [Fact]
    public async Task RunFollow_OfARunThatTimesOut_ExitsFour_NamingTheTimeout()
    {
        var outcome = await RoutinesAsync("run", "chatty", "--set", $"key={Key()}", "--set", "lines=600", "--set", "milliseconds=100",
            "--timeout", "1", "--attempts", "1");

        Assert.True(outcome.ExitCode == 4, outcome.ToString());
        Assert.Contains("chatty@1.0.0", outcome.Stdout); // the live output before the error
        Assert.Contains("timed out after 1 attempt", outcome.Stderr);
    }

    [Fact]
    public async Task RunFollow_OfAFailingWorkflow_ExitsOne_WithTheErrorChainDownToTheStep()
    {
        // A negative delay makes the step throw (Task.Delay), after its retries.
        var outcome = await RoutinesAsync("run", "pipeline", "--input", $$"""{"key": "{{Key()}}", "steps": 1, "milliseconds": -5}""", "--attempts", "1");

        Assert.True(outcome.ExitCode == 1, outcome.ToString());
        Assert.Matches(@"step@\S+ Failed", outcome.Stdout); // the live tree
        Assert.Contains("pipeline@", outcome.Stderr);
        Assert.Matches(@"caused by System.ArgumentOutOfRangeException: .* \(run [0-9a-f]{32}\.[a-z2-7]{12}\)", outcome.Stderr); // the step's run
    }

    [Fact]
    public async Task Run_WithBadInput_OrAnUnknownRoutine_ExitsTwo_WithOneLine()
    {
        AssertOneErrorLine(await RoutinesAsync("run", "echo", "--set", $"key={Key()}", "--set", "milliseconds=zero"), 2, "milliseconds");
        AssertOneErrorLine(await RoutinesAsync("run", "no_such_routine"), 2, "no_such_routine");
        AssertOneErrorLine(await RoutinesAsync("run", "echo", "--input", "{not json"), 2, "not JSON");
    }

    [Fact]
    public async Task RunDetach_PrintsTheRunId_AndTheRunGoesOn()
    {
        var runId = await DetachAsync("echo", new { key = Key(), milliseconds = 0 });

        var run = await cluster.Client.WaitAsync(runId);
        Assert.Equal(RunStatus.Succeeded, run.Status);
    }

    [Fact]
    public async Task CtrlC_DuringRunFollow_CancelsTheRun_AndExits130()
    {
        var key = Key();
        var run = Start(["run", "chatty", "--set", $"key={key}", "--set", "lines=600", "--set", "milliseconds=100"]);
        await run.WaitForOutputAsync($"line 2 of {key}");

        run.Interrupt();
        var outcome = await OutcomeAsync(run);

        Assert.True(outcome.ExitCode == 130, outcome.ToString());
        Assert.Contains("cancelling run", outcome.Stderr);
        var runId = RunLine().Match(outcome.Stdout).Groups[1].Value;
        Assert.Equal(RunStatus.Cancelled, (await cluster.Client.GetRunAsync(runId))!.Status);
    }

    [Fact]
    public async Task LogsFollow_PrintsEveryLine_AndEndsWhenTheRunEnds()
    {
        var key = Key();
        var runId = await DetachAsync("chatty", new { key, lines = 8, milliseconds = 150 });

        var outcome = await RoutinesAsync("logs", runId, "-f");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        for (var line = 1; line <= 8; line++) Assert.Contains($"line {line} of {key}", outcome.Stdout);
        Assert.Equal(RunStatus.Succeeded, (await cluster.Client.GetRunAsync(runId))!.Status);
    }

    [Fact]
    public async Task LogsFollow_ResumesAfterADroppedConnection_MissingAndRepeatingNoLine()
    {
        var key = Key();
        var runId = await DetachAsync("chatty", new { key, lines = 8, milliseconds = 400 });
        await using var proxy = new DroppingProxy(cluster.HttpPort, TimeSpan.FromSeconds(1));

        var outcome = await OutcomeAsync(Start(["logs", runId, "-f", "--server", $"http://127.0.0.1:{proxy.Port}", "--token", cluster.ReadToken], connect: false));

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.True(proxy.Connections >= 2, $"{proxy.Connections} connection(s): the stream was never dropped");
        for (var line = 1; line <= 8; line++) Assert.Single(Regex.Matches(outcome.Stdout, $"line {line} of {key}"));
    }

    /// <summary>A TCP proxy to the service that cuts every connection after a while, as an impatient load balancer does.</summary>
    sealed class DroppingProxy : IAsyncDisposable
    {
        readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        readonly CancellationTokenSource _stop = new();
        readonly Task _accepting;
        int _connections;

        public DroppingProxy(int targetPort, TimeSpan dropAfter)
        {
            _listener.Start();
            _accepting = AcceptAsync(targetPort, dropAfter);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        async Task AcceptAsync(int targetPort, TimeSpan dropAfter)
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    _ = PipeAsync(client, targetPort, dropAfter);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        async Task PipeAsync(TcpClient client, int targetPort, TimeSpan dropAfter)
        {
            using var upstream = new TcpClient();
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            cut.CancelAfter(dropAfter);
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, targetPort, cut.Token);
                await Task.WhenAny(client.GetStream().CopyToAsync(upstream.GetStream(), cut.Token),
                    upstream.GetStream().CopyToAsync(client.GetStream(), cut.Token));
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException)
            {
            }
            finally
            {
                client.Dispose();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Logs_FilterByLevel_AndPrintJsonLines()
    {
        var key = Key();
        var runId = await DetachAsync("chatty", new { key, lines = 2, milliseconds = 0 });
        await cluster.Client.WaitAsync(runId);

        var json = await RoutinesAsync("logs", runId, "--json");
        var warnings = await RoutinesAsync("logs", runId, "--level", "Warning");

        Assert.True(json.ExitCode == 0, json.ToString());
        var lines = json.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal([$"line 1 of {key}", $"line 2 of {key}"], lines.Select(l => l["message"]!.GetValue<string>()));
        Assert.True(warnings.ExitCode == 0, warnings.ToString());
        Assert.DoesNotContain(key, warnings.Stdout);
    }

    [Fact]
    public async Task Runs_ListsWithFilters_AsATable_AndAsJson()
    {
        var key = Key();
        var runId = await DetachAsync("echo", new { key, milliseconds = 0 });
        await cluster.Client.WaitAsync(runId);

        var json = await RoutinesAsync("runs", "--search", runId, "--routine", "echo", "--status", "succeeded", "--since", "1h", "--roots", "--json");
        var table = await RoutinesAsync("runs", "--search", runId);
        var none = await RoutinesAsync("runs", "--search", runId, "--status", "failed");

        Assert.True(json.ExitCode == 0, json.ToString());
        var runs = JsonNode.Parse(json.Stdout)!["runs"]!.AsArray();
        Assert.Equal(runId, Assert.Single(runs)!["runId"]!.GetValue<string>());
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Succeeded", table.Stdout);
        Assert.Contains("1 of 1 matching runs", table.Stdout);
        Assert.Contains("No runs match", none.Stdout);
        AssertOneErrorLine(await RoutinesAsync("runs", "--since", "yesterday"), 2, "--since");
    }

    [Fact]
    public async Task Show_PrintsStatusOutputAndTheWorkflowTree()
    {
        var key = Key();
        var runId = await DetachAsync("pipeline", new { key, steps = 2, milliseconds = 0 });
        await cluster.Client.WaitAsync(runId);

        var shown = await RoutinesAsync("show", runId);
        var json = await RoutinesAsync("show", runId, "--json");

        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("Succeeded", shown.Stdout);
        Assert.Contains("1 of", shown.Stdout); // attempt 1 of N
        Assert.Contains(key, shown.Stdout); // input and output
        Assert.Equal(2, Regex.Matches(shown.Stdout, @"step@\S+ Succeeded").Count); // the tree's children
        Assert.Equal(runId, JsonNode.Parse(json.Stdout)!["runId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_WithAPriority_RecordsIt_AndOneOutOfRange_ExitsTwo()
    {
        var detached = await RoutinesAsync("run", "chatty", "--set", $"key={Key()}", "--set", "lines=1", "--set", "milliseconds=0", "--priority", "-7", "--detach");
        Assert.True(detached.ExitCode == 0, detached.ToString());
        var run = await cluster.Client.WaitAsync(detached.Stdout.Trim());
        Assert.Equal(-7, run.Policy!.Priority);

        var refused = await RoutinesAsync("run", "chatty", "--set", $"key={Key()}", "--set", "lines=1", "--set", "milliseconds=0", "--priority", "101");
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("CallOptions.Priority must be from -100 to 100; it was 101.", refused.Stderr);
    }

    [Fact]
    public async Task Schedules_AreSetListedShownPausedResumedAndRemoved()
    {
        var name = $"cli-{Key()}".ToLowerInvariant();

        var set = await RoutinesAsync("schedules", "set", name, "echo", "--every", "1s", "--set", $"key={name}", "--set", "milliseconds=0",
            "--overlap", "allow-all", "--priority", "3");
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Contains($"Schedule {name}: echo every 00:00:01; next at ", set.Stdout);
        await Eventually.TrueAsync(async () => (await cluster.Client.ListScheduleTicksAsync(name)).Any(t => t.Outcome == ScheduleTickOutcome.Started),
            TimeSpan.FromSeconds(30), "a started tick");

        var listed = await RoutinesAsync("schedules");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains("Overlap", listed.Stdout); // a table (whose cells wrap at the terminal's width)
        var listedJson = JsonNode.Parse((await RoutinesAsync("schedules", "--json")).Stdout)!.AsArray();
        Assert.Equal("allowAll", listedJson.Single(s => s!["name"]!.GetValue<string>() == name)!["overlap"]!.GetValue<string>());
        var shown = await RoutinesAsync("schedules", "show", name);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("started", shown.Stdout);
        Assert.Matches($"schedule-{name}-\\d{{8}}t\\d{{6}}z", shown.Stdout);
        var json = await RoutinesAsync("schedules", "show", name, "--json");
        Assert.Equal(3, JsonNode.Parse(json.Stdout)!["priority"]!.GetValue<int>());

        Assert.Equal(0, (await RoutinesAsync("schedules", "pause", name)).ExitCode);
        Assert.True((await cluster.Client.GetScheduleAsync(name))!.Paused);
        Assert.Equal(0, (await RoutinesAsync("schedules", "resume", name)).ExitCode);
        Assert.False((await cluster.Client.GetScheduleAsync(name))!.Paused);
        var removed = await RoutinesAsync("schedules", "remove", name);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Null(await cluster.Client.GetScheduleAsync(name));

        var missing = await RoutinesAsync("schedules", "pause", name);
        Assert.True(missing.ExitCode == 8, missing.ToString());
        Assert.Contains($"There is no schedule named '{name}'.", missing.Stderr);
    }

    [Fact]
    public async Task Show_OfATriggeredRun_SaysWhatStartedIt_AndRoutinesShowsTheTrigger()
    {
        var source = await cluster.Client.ExecuteAsync("chained_step", $$"""{"key":"{{Key()}}","milliseconds":0}""");
        var triggered = $"{source.RunId}-then-then_echo";
        await Eventually.TrueAsync(async () => await cluster.Client.GetRunAsync(triggered) is { Status: RunStatus.Succeeded }, TimeSpan.FromSeconds(30), "the triggered run");

        var shown = await RoutinesAsync("show", triggered);
        var routine = await RoutinesAsync("routines", "chained_step");

        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains($"trigger then_echo, when run {source.RunId} of chained_step ended Succeeded", Regex.Replace(shown.Stdout, @"\s+", " "));
        Assert.Contains("then echo when a run ends Succeeded (trigger then_echo)", routine.Stdout);
    }

    [Theory]
    [InlineData("--cron", "0 3 * * *", "--every", "1m", "either Cron or Every")]
    [InlineData("--cron", "0 3 * * * * *", "--time-zone", "UTC", "is not a cron expression")]
    [InlineData("--every", "soon", "--time-zone", "UTC", "--every 'soon' is not an interval")]
    [InlineData("--cron", "0 3 * * *", "--time-zone", "Moon/Base", "Schedule.TimeZone 'Moon/Base'")]
    [InlineData("--cron", "0 3 * * *", "--overlap", "sometimes", "sometimes")]
    public async Task ABadSchedule_ExitsTwo_SayingWhatIsWrong(string option1, string value1, string option2, string value2, string expected)
    {
        var name = $"bad-{Key()}".ToLowerInvariant();

        var refused = await RoutinesAsync("schedules", "set", name, "echo", option1, value1, option2, value2, "--set", "key=k", "--set", "milliseconds=0");

        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains(expected, refused.Stderr);
        Assert.Null(await cluster.Client.GetScheduleAsync(name));
    }

    [Fact]
    public async Task Show_OfAFailedRun_PrintsItsErrorChain()
    {
        var detached = await RoutinesAsync("run", "chatty", "--set", $"key={Key()}", "--set", "lines=600", "--set", "milliseconds=100",
            "--timeout", "1", "--attempts", "1", "--detach");
        var runId = detached.Stdout.Trim();
        await cluster.Client.WaitAsync(runId);

        var shown = await RoutinesAsync("show", runId);

        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("TimedOut", shown.Stdout);
        Assert.Matches(@"error\s+\S*Timed?Out", shown.Stdout); // the error chain's type
    }

    /// <summary>A routine's log line, progress and error carry escape sequences: every verb prints them visibly, none raw.</summary>
    [Fact]
    public async Task WhatARoutineWrote_ReachesTheTerminalWithItsEscapeSequencesMadeVisible()
    {
        var followed = await RoutinesAsync("run", "hostile", "--set", $"key={Key()}", "--set", "milliseconds=0");
        Assert.True(followed.ExitCode == 1, followed.ToString());
        var runId = Regex.Match(followed.Stdout, @"Run (\w+) of").Groups[1].Value;
        var logs = await RoutinesAsync("logs", runId);
        var shown = await RoutinesAsync("show", runId);
        var runRoutine = TestProcess.Start(BuildOutput.Dll("tests/Apps/WorkerAlpha", "WorkerAlpha.dll"), BuildOutput.RepositoryRoot,
            ["run-routine", "hostile", "--set", "key=local", "--set", "milliseconds=0", "--store", Path.Combine(Path.GetTempPath(), $"hostile-{Guid.NewGuid():N}.db")]);
        _processes.Add(runRoutine);
        var local = await OutcomeAsync(runRoutine);
        Assert.True(local.ExitCode == 1, local.ToString());

        foreach (var (printed, what) in new[] { (followed.Stdout, "the log line"), (followed.Stderr, "the error"), (logs.Stdout, "the log line"),
                     (shown.Stdout, "the error"), (local.Stdout, "the log line"), (local.Stderr, "the error") })
        {
            Assert.DoesNotMatch("[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E]", printed);
            Assert.Contains(@"\x1B[2J\x1B]0;owned\x07\x0Dhidden\x9B1A\u202E", printed);
        }

        Assert.Contains("clear ", logs.Stdout);
        Assert.Contains("failed ", shown.Stdout);
    }

    [Fact]
    public async Task Cancel_StopsARun_AndRetry_StartsItAgain()
    {
        var runId = await DetachAsync("chatty", new { key = Key(), lines = 600, milliseconds = 100 });

        var cancel = await RoutinesAsync("cancel", runId);
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Equal(RunStatus.Cancelled, (await cluster.Client.WaitAsync(runId)).Status);

        var retry = await RoutinesAsync("retry", runId);
        Assert.True(retry.ExitCode == 0, retry.ToString());
        var retried = retry.Stdout.Trim();
        Assert.NotEqual(runId, retried);
        Assert.Equal("chatty", (await cluster.Client.GetRunAsync(retried))!.RoutineName);
        await cluster.Client.CancelAsync(retried, "test done");
    }

    [Fact]
    public async Task Workers_And_Routines_ListTheCluster()
    {
        var workers = await RoutinesAsync("workers");
        var workersJson = await RoutinesAsync("workers", "--json");
        var routines = await RoutinesAsync("routines");
        var chatty = await RoutinesAsync("routines", "chatty");
        var routinesJson = await RoutinesAsync("routines", "--json");

        Assert.True(workers.ExitCode == 0, workers.ToString());
        Assert.Contains("alpha", workers.Stdout);
        Assert.Contains("beta", workers.Stdout);
        Assert.True(JsonNode.Parse(workersJson.Stdout)!.AsArray().Count >= 2, workersJson.ToString());
        Assert.Contains("pipeline", routines.Stdout);
        Assert.Contains("workflow", routines.Stdout);
        Assert.True(chatty.ExitCode == 0, chatty.ToString());
        foreach (var field in new[] { "key", "lines", "milliseconds" }) Assert.Contains(field, chatty.Stdout);
        Assert.Contains(JsonNode.Parse(routinesJson.Stdout)!.AsArray(), r => r!["name"]!.GetValue<string>() == "chatty");
        AssertOneErrorLine(await RoutinesAsync("routines", "no_such_routine"), 8, "no_such_routine");
    }

    [Fact]
    public async Task Compare_ShowsTheInputsThatDiffer_AndEachMetricsLastValue()
    {
        var key = Key();
        var first = await DetachAsync("chatty", new { key, lines = 2, milliseconds = 0 });
        var second = await DetachAsync("chatty", new { key, lines = 5, milliseconds = 0 });
        await cluster.Client.WaitAsync(first);
        await cluster.Client.WaitAsync(second);

        var table = await RoutinesAsync("compare", first, second);
        var json = await RoutinesAsync("compare", first, second, "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"lines\s*│\s*2\s*│\s*5", table.Stdout); // the input field that differs
        Assert.DoesNotMatch(@"│\s*key\s*│", table.Stdout); // the one that does not
        var runs = JsonNode.Parse(json.Stdout)!.AsArray();
        Assert.Equal([2.0, 5.0], runs.Select(r => r!["metrics"]!["lines"]!.GetValue<double>()));
    }

    [Fact]
    public async Task AWrongToken_IsOneLine_AndExitsSeven()
    {
        var wrong = await OutcomeAsync(Start(["runs", "--server", Server, "--token", "rtk_" + new string('A', 43)], connect: false));
        var readOnly = await OutcomeAsync(Start(["cancel", "no-such-run", "--server", Server, "--token", cluster.ReadToken], connect: false));

        AssertOneErrorLine(wrong, 7, "401");
        AssertOneErrorLine(readOnly, 7, "403");
    }

    [Fact]
    public async Task AnUnreachableServer_IsOneLine_AndExitsSix()
    {
        var outcome = await OutcomeAsync(Start(["runs", "--server", $"http://127.0.0.1:{FreePort.Next()}"], connect: false));

        AssertOneErrorLine(outcome, 6, "Cannot reach");
    }

    [Fact]
    public async Task AnUnknownRun_IsOneLine_AndExitsEight()
    {
        foreach (var verb in new[] { "show", "logs", "cancel" })
            AssertOneErrorLine(await RoutinesAsync(verb, "no-such-run"), 8, "no-such-run");
    }

    [Fact]
    public async Task Contexts_ChooseTheServer_UnderEnvironmentAndFlags()
    {
        var config = Path.Combine(Directory.CreateTempSubdirectory("routines-config-").FullName, "config.json");
        var dead = $"http://127.0.0.1:{FreePort.Next()}";
        Dictionary<string, string> Env(string server = "") => new() { ["ROUTINES_CONFIG"] = config, ["ROUTINES_SERVER"] = server };
        async Task<Outcome> Routines(Dictionary<string, string> env, params string[] args) => await OutcomeAsync(Start(args, connect: false, env));

        Assert.Equal(0, (await Routines(Env(), "context", "add", "live", "--server", Server, "--token", cluster.ReadToken)).ExitCode);
        Assert.Equal(0, (await Routines(Env(), "context", "add", "dead", "--server", dead)).ExitCode);
        Assert.Equal(0, (await Routines(Env(), "workers")).ExitCode); // the first context added is current

        Assert.Equal(0, (await Routines(Env(), "context", "use", "dead")).ExitCode);
        AssertOneErrorLine(await Routines(Env(), "workers"), 6, dead);
        Assert.Matches(@"\*\s*│\s*dead", (await Routines(Env(), "context", "list")).Stdout);

        Assert.Equal(0, (await Routines(Env(), "context", "use", "live")).ExitCode);
        AssertOneErrorLine(await Routines(Env(dead), "workers"), 6, dead); // the environment over the context
        Assert.Equal(0, (await Routines(Env(dead), "workers", "--server", Server)).ExitCode); // a flag over the environment
        AssertOneErrorLine(await Routines(Env(), "context", "use", "nowhere"), 8, "nowhere");
    }
}
