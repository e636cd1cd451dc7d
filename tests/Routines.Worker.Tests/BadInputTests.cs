using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

/// <summary>Each bad request gets a specific error and leaves nothing behind in the store.</summary>
public sealed class BadInputTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    async Task<int> RunCountAsync() => (await fixture.Store.ListRunsAsync(new() { Take = 1 })).Total;

    [Theory]
    [InlineData(int.MaxValue, 0, "RunFilter.Take must be from 0 to 1000 (got 2147483647).")]
    [InlineData(-1, 0, "RunFilter.Take must be from 0 to 1000 (got -1).")]
    [InlineData(10, -1, "RunFilter.Skip must not be negative (got -1).")]
    public async Task AListLargerThanAPage_IsRefusedWithTheLimit(int take, int skip, string expected)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Env.Client.ListRunsAsync(new() { Take = take, Skip = skip }));

        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public async Task ALogReadLargerThanAPage_IsRefusedWithTheLimit()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Env.Client.GetLogsAsync("any", limit: 100_000));

        Assert.StartsWith("A log read takes 1 to 1000 lines (got 100000).", error.Message);
    }

    [Fact]
    public async Task UnknownRoutine_NamesCloseMatches_AndRecordsNothing()
    {
        var before = await RunCountAsync();
        var error = await Assert.ThrowsAsync<RoutineNotFoundException>(() => fixture.Env.Client.SubmitAsync("ad", "{}"));

        Assert.Contains("'ad'", error.Message);
        Assert.Contains("Did you mean add", error.Message);
        Assert.Equal(before, await RunCountAsync());
    }

    [Fact]
    public async Task ExecuteAsync_RefusesBadInputAsSubmitDoes_AndRecordsNothing()
    {
        var before = await RunCountAsync();
        var unknown = await Assert.ThrowsAsync<RoutineNotFoundException>(() => fixture.Env.Client.ExecuteAsync("ad", "{}"));
        var malformed = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => fixture.Env.Client.ExecuteAsync("add", """{"a": 1,"""));
        var mistyped = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => fixture.Env.Client.ExecuteAsync("add", """{"a": "ten", "b": 2}"""));

        Assert.Contains("Did you mean add", unknown.Message);
        Assert.Equal("$", malformed.Path);
        Assert.Contains("malformed JSON", malformed.Message);
        Assert.Equal("$.a", mistyped.Path);
        Assert.Equal(before, await RunCountAsync());
    }

    [Fact]
    public async Task ATimeoutOutOfRange_IsRefused_AndRecordsNothing()
    {
        var before = await RunCountAsync();
        foreach (var timeout in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(-5), Timeout.InfiniteTimeSpan, TimeSpan.FromDays(365) })
        {
            var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
                fixture.Env.Client.SubmitAsync("add", """{"a":1,"b":2}""", new CallOptions { Timeout = timeout }));
            Assert.Contains("CallOptions.Timeout must be more than zero and at most 30 days", error.Message);
            Assert.Contains($"it was {timeout}", error.Message);
        }

        Assert.Equal(before, await RunCountAsync());
    }

    [Fact]
    public async Task ARetryPolicyOutOfRange_IsRefused_AndRecordsNothing()
    {
        var before = await RunCountAsync();
        var cases = new (RetryPolicy Policy, string Says)[]
        {
            (new() { MaxAttempts = 0 }, "CallOptions.Retry.MaxAttempts must be at least 1; it was 0."),
            (new() { InitialDelay = TimeSpan.FromSeconds(-1) }, "CallOptions.Retry.InitialDelay must be zero or more; it was -00:00:01."),
            (new() { MaxDelay = TimeSpan.FromSeconds(-1) }, "CallOptions.Retry.MaxDelay must be zero or more; it was -00:00:01."),
            (new() { BackoffCoefficient = 0.5 }, "CallOptions.Retry.BackoffCoefficient must be a finite number, at least 1; it was 0.5."),
            (new() { BackoffCoefficient = double.NaN }, "CallOptions.Retry.BackoffCoefficient must be a finite number, at least 1; it was NaN."),
        };
        foreach (var (policy, says) in cases)
        {
            var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
                fixture.Env.Client.SubmitAsync("add", """{"a":1,"b":2}""", new CallOptions { Retry = policy }));
            Assert.Contains(says, error.Message);
        }

        Assert.Equal(before, await RunCountAsync());
    }

    [Fact]
    public async Task UnknownVersion_SaysWhichVersionsAreOffered()
    {
        var error = await Assert.ThrowsAsync<RoutineNotFoundException>(() => fixture.Env.Client.SubmitAsync("tname:add:9.9.9", "{}"));

        Assert.Contains("add@9.9.9", error.Message);
        Assert.Contains("tname:add:1.0.0", error.Message);
    }

    [Fact]
    public async Task MalformedJson_IsRejectedAtTheRoot()
    {
        var before = await RunCountAsync();
        var error = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => fixture.Env.Client.SubmitAsync("add", """{"a": 1,"""));

        Assert.Equal("$", error.Path);
        Assert.Contains("malformed JSON", error.Message);
        Assert.Equal(before, await RunCountAsync());
    }

    [Fact]
    public async Task MistypedField_NamesTheFieldAndTheExpectedType()
    {
        var error = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => fixture.Env.Client.SubmitAsync("add", """{"a": "ten", "b": 2}"""));

        Assert.Equal("$.a", error.Path);
        Assert.Contains("integer", error.Problem);
        Assert.Contains("\"ten\"", error.Problem);
    }

    [Fact]
    public async Task FieldGivenTwice_IsNamed_AndRecordsNothing()
    {
        var before = await RunCountAsync();
        var error = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => fixture.Env.Client.SubmitAsync("add", """{"a": 1, "b": 2, "A": 3}"""));

        Assert.Equal("$.A", error.Path);
        Assert.Contains("more than once", error.Problem);
        Assert.Equal(before, await RunCountAsync());
    }

    [Fact]
    public async Task MissingRequiredField_IsNamed()
    {
        var error = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => fixture.Env.Client.SubmitAsync("add", """{"a": 1}"""));

        Assert.Equal("$.b", error.Path);
        Assert.Contains("required", error.Problem);
    }

    [Fact]
    public async Task NestedAndEnumProblems_AreAllReported()
    {
        var error = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => fixture.Env.Client.SubmitAsync("typed",
            """{"name": "x", "values": [1, "two"], "mode": "reckless", "inner": {"depth": 1.5}}"""));

        Assert.Contains("$.values[1]", error.Message);
        Assert.Contains("$.mode", error.Message);
        Assert.Contains("$.inner.depth", error.Message);
    }

    [Fact]
    public async Task ValidNestedInput_Runs()
    {
        var run = await fixture.Env.RunAsync("typed", new Dataset("x", [1, 2, 3], Mode.Careful, new Inner(2)));

        Assert.Equal(Client.RunStatus.Succeeded, run.Status);
        Assert.Equal("""{"value":3}""", run.OutputJson);
    }

    [Fact]
    public async Task BadRoutineIdText_SaysWhatFormsAreAccepted()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.Env.Client.SubmitAsync("tname:add", "{}"));

        Assert.Contains("tname:<task>:<version>", error.Message);
    }

    [Theory]
    [InlineData("""{"key": "\ud800"}""", "$.key")]
    [InlineData("""{"key": "ok\udc00tail"}""", "$.key")]
    [InlineData("""{"name": "x", "values": [], "mode": "fast", "inner": {"depth": 1}, "note": "\ud83d"}""", "$.note")]
    public async Task ALoneSurrogate_IsAnInputProblemAtItsPath_AndRecordsNothing(string input, string path)
    {
        var routine = path == "$.key" ? "counted" : "typed";
        var before = await RunCountAsync();

        var error = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => fixture.Env.Client.SubmitAsync(routine, input));

        Assert.Equal(path, error.Path);
        Assert.Contains("surrogate", error.Problem);
        Assert.Equal(before, await RunCountAsync());
    }

    [Fact]
    public async Task ALoneSurrogateInAFieldName_IsAnInputProblem()
    {
        var error = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => fixture.Env.Client.SubmitAsync("counted", """{"key": "a", "\ud800": 1}"""));

        Assert.Contains("surrogate", error.Message);
    }

    [Fact]
    public async Task AnInputOverTheSizeLimit_IsRefusedNamingTheLimit_AndRecordsNothing()
    {
        var before = await RunCountAsync();
        var input = $$"""{"key": "{{new string('x', 16 * 1024 * 1024)}}"}""";

        var error = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => fixture.Env.Client.SubmitAsync("counted", input));

        Assert.Equal("$", error.Path);
        Assert.Contains("16,777,227 bytes", error.Problem);
        Assert.Contains("limit of 16,777,216 bytes (Routines:Service:MaxInputBytes)", error.Problem);
        Assert.Equal(before, await RunCountAsync());
    }
}
