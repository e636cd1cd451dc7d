using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routines.Client;
using Routines.Serialization;
using Routines.Testing;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

/// <summary>A routine as a parameter: checked at submit against the catalog, and called like any other routine.</summary>
public sealed class RoutineReferenceTests : IAsyncLifetime
{
    RoutineTestEnvironment _env = null!;

    public async Task InitializeAsync()
        => _env = await RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(new Executions()));

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task AWorkflow_CallsTheRoutineItsInputNames()
    {
        var run = await _env.Client.ExecuteAsync("calls_given", """{"adder":"add","a":2,"b":3}""");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("""{"value":5}""", run.OutputJson);
        Assert.Equal("add", Assert.Single(await _env.Client.ListChildrenAsync(run.RunId)).RoutineName);
    }

    [Fact]
    public async Task AWorkflow_CallsAReferenceFromTaskWhenAllOverAsyncLambdas()
    {
        var run = await _env.Client.ExecuteAsync("calls_given_in_parallel", """{"adder":"add","values":[1,2,3]}""");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("""{"value":12}""", run.OutputJson);
        Assert.Equal(3, (await _env.Client.ListChildrenAsync(run.RunId)).Count(c => c.RoutineName == "add"));
    }

    [Fact]
    public async Task AReferenceToARoutineOfOtherTypes_IsRefusedAtSubmit_SayingWhichTypesItNeeds()
    {
        var error = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => _env.Client.SubmitAsync("calls_given", """{"adder":"trig_report","a":2,"b":3}"""));

        Assert.Equal("$.adder", error.Path);
        Assert.Equal($"names routine tname:trig_report:1.0.0, which takes {typeof(ReportInput).FullName} and returns System.String; "
                     + $"it must name one taking {typeof(AddInput).FullName} and returning {typeof(Sum).FullName}", error.Problem);
        Assert.Equal(0, (await _env.Client.ListRunsAsync(new RunFilter { RoutineName = "calls_given", Take = 0 })).Total);
    }

    [Theory]
    [InlineData("""{"adder":"ad","a":2,"b":3}""", "$.adder", "names routine 'ad', which no live worker offers (No live worker offers a routine named 'ad'. Did you mean add")]
    [InlineData("""{"adder":"","a":2,"b":3}""", "$.adder", "")]
    [InlineData("""{"adder":7,"a":2,"b":3}""", "$.adder", "")]
    public async Task AReferenceToNoLiveRoutine_OrNotAName_IsRefusedAtSubmit(string input, string path, string says)
    {
        var error = await Assert.ThrowsAsync<InvalidRoutineInputException>(() => _env.Client.SubmitAsync("calls_given", input));

        Assert.Equal(path, error.Path);
        Assert.Contains(says, error.Problem);
    }

    [Fact]
    public void AReference_IsAStringInJson_AndItsSchemaSaysWhichRoutinesFit()
    {
        var call = new GivenCall(RoutineRef<AddInput, Sum>.To<Add>(), 1, 2);

        var json = JsonSerializer.Serialize(call, RoutineJson.Default);
        var schema = RoutineSchema.For(typeof(GivenCall))["properties"]!["adder"]!;

        Assert.Equal("""{"adder":"tname:add:1.0.0","a":1,"b":2}""", json);
        Assert.Equal(call, JsonSerializer.Deserialize<GivenCall>(json, RoutineJson.Default));
        Assert.Equal("string", schema["type"]!.GetValue<string>());
        Assert.Equal(typeof(AddInput).FullName, schema["x-routine"]!["input"]!.GetValue<string>());
        Assert.Equal(typeof(Sum).FullName, schema["x-routine"]!["output"]!.GetValue<string>());
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<GivenCall>("""{"adder":"","a":1,"b":2}""", RoutineJson.Default));
    }
}
