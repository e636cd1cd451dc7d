using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Routines.Client;
using Routines.Silo.Storage.Sqlite;

namespace Routines.Worker.Tests;

/// <summary>The sample project's verbs, run as real processes the way the README runs them.</summary>
public sealed class CommandLineTests : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("routines-cli-").FullName;

    string StorePath => Path.Combine(_directory, "runs.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    async Task<SqliteRunStore> OpenStoreAsync()
    {
        var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = StorePath });
        await store.InitializeAsync();
        return store;
    }

    [Fact]
    public async Task RunRoutine_RunsTheSampleWorkflow_PrintsLiveLinesAndTheResult()
    {
        var (exitCode, stdout, stderr) = await SampleProcess.RunAsync(_directory, "run-routine", "train_and_pick_model", "--no-cache");

        Assert.True(exitCode == 0, stderr);
        Assert.Matches(@"Run [0-9a-f]{32} of wfname:train_and_pick_model:1\.0\.0", stdout);
        Assert.Contains("train_model@2.0.0 Running", stdout);
        Assert.Contains("INFO Loaded iris: 150 rows", stdout);
        Assert.Contains("epoch", stdout); // progress lines
        Assert.Contains("train_and_pick_model@1.0.0 Succeeded", stdout);
        var result = JsonNode.Parse(stdout[stdout.IndexOf("\n{", StringComparison.Ordinal)..])!;
        Assert.True(result["best"]!["accuracy"]!.GetValue<double>() > 0.9);
        var projectDirectory = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(SampleProcess.DllPath))))!;
        Assert.True(File.Exists(Path.Combine(projectDirectory, ".routines", "routines.db")), "the default store is .routines/routines.db under the project");
        Assert.False(Directory.Exists(Path.Combine(_directory, ".routines")), "not under the working directory");
    }

    [Fact]
    public async Task RunRoutineJson_PrintsOnlyTheResult_AndASecondRunIsServedFromTheCache()
    {
        var first = await SampleProcess.RunAsync(_directory, "run-routine", "train_and_pick_model", "--json", "--store", StorePath);
        var second = await SampleProcess.RunAsync(_directory, "run-routine", "train_and_pick_model", "--json", "--store", StorePath);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(JsonNode.Parse(first.Stdout)!.ToJsonString(), JsonNode.Parse(second.Stdout)!.ToJsonString());

        await using var store = await OpenStoreAsync();
        var trainings = await store.ListRunsAsync(new() { RoutineName = "train_model", Take = 100 });
        Assert.Equal(12, trainings.Total);
        Assert.Equal(6, trainings.Runs.Count(r => r.CachedFromRunId is not null));
    }

    [Fact]
    public async Task RunRoutine_TakesInputFromSetAndFile()
    {
        var file = Path.Combine(_directory, "input.json");
        await File.WriteAllTextAsync(file, """{"learningRates": [0.5], "l2Penalties": [0], "epochs": 20}""");

        var fromFile = await SampleProcess.RunAsync(_directory, "run-routine", "train_and_pick_model", "--json", "--input-file", file, "--store", StorePath);
        var fromSet = await SampleProcess.RunAsync(_directory, "run-routine", "load_dataset", "--json", "--set", "name=iris", "--store", StorePath);

        Assert.True(fromFile.ExitCode == 0, fromFile.Stderr);
        Assert.Single(JsonNode.Parse(fromFile.Stdout)!["leaderboard"]!.AsArray());
        Assert.True(fromSet.ExitCode == 0, fromSet.Stderr);
        Assert.Equal(150, JsonNode.Parse(fromSet.Stdout)!["rows"]!.GetValue<int>());
        Assert.Equal("iris.csv", JsonNode.Parse(fromSet.Stdout)!["table"]!["name"]!.GetValue<string>()); // the rows, as an artifact
    }

    [Fact]
    public async Task UnknownRoutine_ExitsWith2_AndNamesCloseMatches()
    {
        var (exitCode, _, stderr) = await SampleProcess.RunAsync(_directory, "run-routine", "train_and_pick", "--store", StorePath);

        Assert.Equal(2, exitCode);
        Assert.Contains("No live worker offers a routine named 'train_and_pick'", stderr);
        Assert.Contains("train_and_pick_model", stderr);
    }

    [Fact]
    public async Task MistypedAndMalformedInput_ExitWith2_NamingTheField()
    {
        var typo = await SampleProcess.RunAsync(_directory, "run-routine", "train_and_pick_model", "--set", "epoch=5", "--store", StorePath);
        var malformed = await SampleProcess.RunAsync(_directory, "run-routine", "train_and_pick_model", "--input", "{\"epochs\": ", "--store", StorePath);
        var wrongType = await SampleProcess.RunAsync(_directory, "run-routine", "train_and_pick_model", "--set", "epochs=many", "--store", StorePath);

        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("$.epoch", typo.Stderr);
        Assert.Contains("did you mean \"epochs\"", typo.Stderr);
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("malformed JSON", malformed.Stderr);
        Assert.Equal(2, wrongType.ExitCode);
        Assert.Contains("$.epochs: expected an integer, got the string \"many\"", wrongType.Stderr);
    }

    [Fact]
    public async Task FailingRoutine_ExitsWith1_WithTheErrorChain_AndTheRecordKeepsIt()
    {
        var (exitCode, _, stderr) = await SampleProcess.RunAsync(_directory, "run-routine", "train_and_pick_model", "--set", "dataset=mnist", "--store", StorePath);

        Assert.Equal(1, exitCode);
        Assert.Contains("train_and_pick_model@1.0.0", stderr);
        Assert.Contains("caused by System.ArgumentException: Unknown dataset 'mnist'", stderr);

        await using var store = await OpenStoreAsync();
        var load = Assert.Single((await store.ListRunsAsync(new() { RoutineName = "load_dataset" })).Runs);
        Assert.Equal(RunStatus.Failed, load.Status);
        Assert.Equal(1, load.Attempt); // ArgumentException is declared non-retryable
        Assert.Contains("LoadDataset", load.Error?.StackTrace);
    }

    [Fact]
    public async Task CorruptStore_ExitsWith5_AndLeavesTheFileAlone()
    {
        var garbage = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7 % 251)).ToArray();
        await File.WriteAllBytesAsync(StorePath, garbage);

        var (exitCode, _, stderr) = await SampleProcess.RunAsync(_directory, "run-routine", "load_dataset", "--store", StorePath);

        Assert.Equal(5, exitCode);
        Assert.Contains(StorePath, stderr);
        Assert.Contains("not a readable SQLite database", stderr);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(StorePath));
    }

    [Fact]
    public async Task StoreCorruptInTheMiddle_ExitsWith5_BeforeTheRoutineRuns()
    {
        var first = await SampleProcess.RunAsync(_directory, "run-routine", "train_and_pick_model", "--json", "--store", StorePath);
        Assert.True(first.ExitCode == 0, first.Stderr);
        // Keep the header (page 1) intact and overwrite a page in the middle, as a torn write or a bad disk would.
        var bytes = await File.ReadAllBytesAsync(StorePath);
        var pageSize = (bytes[16] << 8) | bytes[17];
        var middle = bytes.Length / pageSize / 2 * pageSize;
        for (var i = middle; i < middle + pageSize; i++) bytes[i] = (byte)(i * 13 % 251);
        await File.WriteAllBytesAsync(StorePath, bytes);

        var (exitCode, stdout, stderr) = await SampleProcess.RunAsync(_directory, "run-routine", "load_dataset", "--store", StorePath);

        Assert.True(exitCode == 5, stdout + stderr);
        Assert.Contains(StorePath, stderr);
        Assert.Contains("corrupt", stderr);
        Assert.DoesNotContain("load_dataset@2.0.0 Running", stdout);
    }

    [Fact]
    public async Task ALoneSurrogateInTheInput_ExitsWith2_NamingTheField()
    {
        var (exitCode, _, stderr) = await SampleProcess.RunAsync(_directory, "run-routine", "load_dataset", "--input", """{"name": "\ud800"}""", "--store", StorePath);

        Assert.True(exitCode == 2, stderr);
        Assert.Contains("$.name", stderr);
        Assert.DoesNotContain("   at ", stderr); // a message, not a stack trace
    }

    [Fact]
    public async Task AnInputFileOverTheSizeLimit_ExitsWith2_NamingTheLimit()
    {
        var file = Path.Combine(_directory, "huge.json");
        await File.WriteAllTextAsync(file, $$"""{"name": "{{new string('x', 17 * 1024 * 1024)}}"}""");

        var (exitCode, _, stderr) = await SampleProcess.RunAsync(_directory, "run-routine", "load_dataset", "--input-file", file, "--store", StorePath);

        Assert.True(exitCode == 2, stderr);
        Assert.Contains("limit of 16,777,216 bytes", stderr);
    }

    [Theory]
    [InlineData("run-routine", "load_dataset", "--no-such-option")]
    [InlineData("run-routine")]
    [InlineData("no-such-verb")]
    [InlineData("run-routine", "load_dataset", "--slots", "many")]
    public async Task ABadOptionAMissingArgumentOrAnUnknownVerb_ExitsWith2(params string[] args)
    {
        var (exitCode, _, stderr) = await SampleProcess.RunAsync(_directory, args);

        Assert.True(exitCode == 2, stderr);
        Assert.StartsWith("error: ", stderr);
        Assert.Contains("--help", stderr);
    }

    [Fact]
    public async Task LockedStore_ExitsWith5_SayingItIsLocked()
    {
        await using (var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = StorePath })) await store.InitializeAsync();
        await using var holder = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        await holder.OpenAsync();
        await using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            await begin.ExecuteNonQueryAsync();
        }

        var (exitCode, _, stderr) = await SampleProcess.RunAsync(_directory, "run-routine", "load_dataset", "--store", StorePath);

        Assert.Equal(5, exitCode);
        Assert.Contains("locked", stderr);
    }

    [Fact]
    public async Task CtrlC_CancelsTheWholeRunTree_AndExitsWith130()
    {
        using var sample = SampleProcess.Start(_directory, "run-routine", "train_and_pick_model", "--no-cache",
            "--set", "epochs=5000000", "--store", StorePath);
        await sample.WaitForOutputAsync("train_model@2.0.0 Running");

        sample.Interrupt();
        int exitCode;
        try
        {
            exitCode = await sample.WaitForExitAsync();
        }
        catch (OperationCanceledException)
        {
            // Say what it printed: a process that ignored SIGINT (it inherited that, TestProcess says how) kept training.
            throw new Xunit.Sdk.XunitException($"run-routine did not exit within 2 minutes of Ctrl+C. It printed:\n{sample.Stdout}\n{sample.Stderr}");
        }

        Assert.True(exitCode == 130, sample.Stdout + sample.Stderr);
        await using var store = await OpenStoreAsync();
        var runs = await store.ListRunsAsync(new() { Take = 100 });
        Assert.Equal(RunStatus.Cancelled, Assert.Single(runs.Runs, r => r.ParentRunId is null).Status);
        Assert.DoesNotContain(runs.Runs, r => !r.Status.IsTerminal());
        Assert.Contains(runs.Runs, r => r.RoutineName == "train_model" && r.Status == RunStatus.Cancelled);
    }

    [Fact]
    public async Task ListAndInfo_DescribeTheProject()
    {
        var list = await SampleProcess.RunAsync(_directory, "list", "--json");
        var info = await SampleProcess.RunAsync(_directory, "info", "--json");
        var table = await SampleProcess.RunAsync(_directory, "list");

        Assert.Equal(0, list.ExitCode);
        var routines = JsonNode.Parse(list.Stdout)!.AsArray();
        var train = routines.Single(r => r!["name"]!.GetValue<string>() == "train_model")!;
        Assert.Equal("task", train["kind"]!.GetValue<string>());
        Assert.Equal("2.0.0", train["version"]!.GetValue<string>());
        Assert.Equal("object", train["inputSchema"]!["type"]!.GetValue<string>());
        Assert.NotNull(train["outputSchema"]!["properties"]!["finalLoss"]);
        var search = routines.Single(r => r!["name"]!.GetValue<string>() == "train_and_pick_model")!;
        Assert.Equal("workflow", search["kind"]!.GetValue<string>());

        var about = JsonNode.Parse(info.Stdout)!;
        Assert.Equal("MLPipeline", about["project"]!.GetValue<string>());
        Assert.Equal(5, about["tasks"]!.GetValue<int>());
        Assert.Equal(3, about["workflows"]!.GetValue<int>()); // train_and_pick_model, tune_one, tune

        Assert.Equal(0, table.ExitCode);
        Assert.Contains("│ Kind", table.Stdout);
        Assert.Contains("load_dataset", table.Stdout);
        Assert.Contains("{name?: string}", table.Stdout);
    }

    /// <summary>A worker's probe port that is not a port, or is taken, stops it at once with the reason, before it joins anything.</summary>
    [Fact]
    public async Task Worker_WithABadOrTakenProbePort_ExitsWith2_SayingWhy()
    {
        var (exitCode, _, stderr) = await SampleProcess.RunAsync(_directory, "worker", "--http-port", "70000");
        Assert.Equal(global::Routines.Worker.Commands.ExitCodes.BadInput, exitCode);
        Assert.Contains("must be a number from 1 to 65535 (got '70000')", stderr);

        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        (exitCode, _, stderr) = await SampleProcess.RunAsync(_directory, "worker", "--http-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(global::Routines.Worker.Commands.ExitCodes.BadInput, exitCode);
        Assert.Contains($"the worker cannot serve its probes on port {port}", stderr);
    }
}
