using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routines.Client;
using Routines.Cluster;
using Routines.Serialization;
using Routines.Testing;
using Routines.Tests.Shared;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

/// <summary>Triggers: a chain of three routines, a failure branch, a trigger that starts nothing or throws, and once per run.</summary>
public sealed class TriggerTests : IAsyncLifetime
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    RoutineTestEnvironment _env = null!;

    public async Task InitializeAsync()
        => _env = await RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(new Executions()));

    public async Task DisposeAsync() => await _env.DisposeAsync();

    static string Json(object value) => JsonSerializer.Serialize(value, RoutineJson.Default);

    Task<RunInfo> TriggeredAsync(string sourceRunId, string trigger)
        => Eventually.ReturnsAsync(async () => await _env.Client.GetRunAsync($"{sourceRunId}-then-{trigger}") is { } run && run.Status.IsTerminal() ? run : null,
            Patience, $"the run trigger {trigger} started after {sourceRunId}");

    [Fact]
    public async Task AChainOfThreeRoutines_EachStartedByTheEndOfTheOneBefore_NamesItsCause()
    {
        var prepared = await _env.Client.ExecuteAsync("trig_prepare", Json(new PrepareInput("chain")));

        var trained = await TriggeredAsync(prepared.RunId, "then_train");
        var reported = await TriggeredAsync(trained.RunId, "then_report");

        Assert.Equal(RunStatus.Succeeded, trained.Status);
        Assert.Equal(new RunCause("then_train", prepared.RunId, "trig_prepare", RunStatus.Succeeded), trained.Cause);
        Assert.Equal("""{"key":"chain","rows":150}""", trained.InputJson);
        Assert.Equal(trained.RunId, trained.RootRunId); // a tree of its own, not a child
        Assert.Equal(new RunCause("then_report", trained.RunId, "trig_train", RunStatus.Succeeded), reported.Cause);
        Assert.Equal("\"chain: accuracy 0.90\"", reported.OutputJson);
        Assert.Contains(await _env.Client.GetHistoryAsync(trained.RunId), e => e.Reason == $"started by {trained.Cause}");
        Assert.Contains(await _env.Client.GetHistoryAsync(prepared.RunId), e => e.Reason == $"trigger then_train started run {trained.RunId} of trig_train");
        Assert.Null(await _env.Client.GetRunAsync($"{prepared.RunId}-then-alert_on_failure"));
    }

    [Fact]
    public async Task AFailedRun_TakesTheFailureBranch_WithItsError()
    {
        var failed = await _env.Client.ExecuteAsync("trig_prepare", Json(new PrepareInput("broken-data", Fail: true)));

        var alert = await TriggeredAsync(failed.RunId, "alert_on_failure");

        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal(RunStatus.Succeeded, alert.Status);
        Assert.Equal(new RunCause("alert_on_failure", failed.RunId, "trig_prepare", RunStatus.Failed), alert.Cause);
        Assert.Contains("no data for broken-data", alert.OutputJson);
        await Task.Delay(300);
        Assert.Null(await _env.Client.GetRunAsync($"{failed.RunId}-then-then_train"));
    }

    [Fact]
    public async Task ATriggerThatBuildsNoInput_StartsNothing_AndOneThatThrows_IsNotedOnTheRunItWatched()
    {
        var skipped = await _env.Client.ExecuteAsync("trig_prepare", Json(new PrepareInput("skip-this")));
        var broken = await _env.Client.ExecuteAsync("trig_train", Json(new TrainInput("break-it", 10)));

        await Eventually.TrueAsync(async () => (await _env.Client.GetHistoryAsync(skipped.RunId))
            .Any(e => e.Reason == "trigger then_train started nothing: its InputFor returned null"), Patience, "the note of the trigger that started nothing");
        var note = await Eventually.ReturnsAsync(async () => (await _env.Client.GetHistoryAsync(broken.RunId))
            .FirstOrDefault(e => e.Reason?.StartsWith("trigger broken_trigger failed", StringComparison.Ordinal) == true), Patience, "the broken trigger's note");

        Assert.Equal("trigger broken_trigger failed: System.InvalidOperationException: the trigger's own bug", note.Reason);
        Assert.Equal(RunStatus.Succeeded, (await _env.Client.GetRunAsync(broken.RunId))!.Status); // the run itself is untouched
        Assert.Null(await _env.Client.GetRunAsync($"{skipped.RunId}-then-then_train"));
        Assert.Equal(RunStatus.Succeeded, (await TriggeredAsync(broken.RunId, "then_report")).Status); // the other trigger still fired
    }

    [Fact]
    public async Task ATriggerFiredAgainForTheSameRun_StartsNoSecondRun()
    {
        var prepared = await _env.Client.ExecuteAsync("trig_prepare", Json(new PrepareInput("twice")));
        var first = await TriggeredAsync(prepared.RunId, "then_train");

        await _env.Services.GetRequiredService<IGrainFactory>().Scheduler().RunEndedAsync(prepared);
        await Task.Delay(500);

        var runs = await _env.Client.ListRunsAsync(new RunFilter { Search = prepared.RunId, RoutineName = "trig_train" });
        Assert.Equal(first.RunId, Assert.Single(runs.Runs).RunId);
        Assert.Single(await _env.Client.GetHistoryAsync(first.RunId), e => e.Reason?.StartsWith("started by") == true);
        Assert.Single(await _env.Client.GetHistoryAsync(prepared.RunId), e => e.Reason?.StartsWith("trigger then_train started run") == true);
    }

    [Fact]
    public async Task TheCatalog_ShowsEachRoutinesTriggers()
    {
        var routines = await _env.Client.ListRoutinesAsync();

        var prepare = routines.Single(r => r.Id.Name == "trig_prepare");
        Assert.Equal(["alert_on_failure", "then_train"], prepare.Triggers.Select(t => t.Name).Order());
        Assert.Equal(new TriggerDescriptor("alert_on_failure", "trig_prepare", "trig_alert", [RunStatus.Failed, RunStatus.TimedOut]) with { On = [] },
            prepare.Triggers.Single(t => t.Name == "alert_on_failure") with { On = [] });
        Assert.Equal([RunStatus.Failed, RunStatus.TimedOut], prepare.Triggers.Single(t => t.Name == "alert_on_failure").On);
        Assert.Empty(routines.Single(r => r.Id.Name == "trig_report").Triggers);
    }

    [Fact]
    public async Task ATrigger_IsMadeWithTheServicesItsConstructorNeeds()
    {
        var trained = await _env.Client.ExecuteAsync("trig_train", Json(new TrainInput("injected", 40)));

        await TriggeredAsync(trained.RunId, "then_report");

        Assert.Equal(1, _env.Services.GetRequiredService<Executions>().Count("then_report:injected"));
    }
}
