using System.Text.Json.Nodes;
using Routines.Client;

namespace Routines.Worker.Tests.Routines;

public sealed record PrepareInput(string Key, bool Fail = false);

public sealed record Prepared(string Key, int Rows);

public sealed record TrainInput(string Key, int Rows);

public sealed record Trained(string Key, double Accuracy);

public sealed record ReportInput(string Key, double Accuracy);

public sealed record AlertInput(string Key, string Reason);

[Routine("trig_prepare")]
[Retry(MaxAttempts = 1)]
[Cache(false)]
public sealed class TrigPrepare : RoutineTask<PrepareInput, Prepared>
{
    public override Task<Prepared> RunAsync(PrepareInput input, RoutineContext ctx)
        => input.Fail ? throw new InvalidOperationException($"no data for {input.Key}") : Task.FromResult(new Prepared(input.Key, 150));
}

[Routine("trig_train")]
[Cache(false)]
public sealed class TrigTrain : RoutineTask<TrainInput, Trained>
{
    public override Task<Trained> RunAsync(TrainInput input, RoutineContext ctx) => Task.FromResult(new Trained(input.Key, input.Rows / 200.0 + 0.15));
}

[Routine("trig_report")]
[Cache(false)]
public sealed class TrigReport : RoutineTask<ReportInput, string>
{
    public override Task<string> RunAsync(ReportInput input, RoutineContext ctx) => Task.FromResult($"{input.Key}: accuracy {input.Accuracy:0.00}");
}

[Routine("trig_alert")]
[Cache(false)]
public sealed class TrigAlert : RoutineTask<AlertInput, string>
{
    public override Task<string> RunAsync(AlertInput input, RoutineContext ctx) => Task.FromResult($"alert for {input.Key}: {input.Reason}");
}

/// <summary>Prepared data goes to training; a key starting "skip" is not trained.</summary>
[Trigger("then_train")]
public sealed class ThenTrain : RoutineTrigger<TrigPrepare, Prepared, TrigTrain, TrainInput>
{
    public override TrainInput? InputFor(FinishedRun<Prepared> run)
        => run.Output!.Key.StartsWith("skip", StringComparison.Ordinal) ? null : new TrainInput(run.Output.Key, run.Output.Rows);
}

/// <summary>Created through dependency injection: counts its firings by key.</summary>
[Trigger("then_report")]
public sealed class ThenReport(Executions executions) : RoutineTrigger<TrigTrain, Trained, TrigReport, ReportInput>
{
    public override ReportInput? InputFor(FinishedRun<Trained> run)
    {
        executions.Increment("then_report:" + run.Output!.Key);
        return new(run.Output.Key, run.Output.Accuracy);
    }
}

/// <summary>The failure branch: a preparation that failed or timed out raises an alert with its error.</summary>
[Trigger("alert_on_failure", On = [RunStatus.Failed, RunStatus.TimedOut])]
public sealed class AlertOnFailure : RoutineTrigger<TrigPrepare, Prepared, TrigAlert, AlertInput>
{
    public override AlertInput? InputFor(FinishedRun<Prepared> run)
        => new(JsonNode.Parse(run.InputJson)!["key"]!.GetValue<string>(), run.Error!.Message);
}

/// <summary>Throws for a key starting "break": its failure is noted on the run it watched.</summary>
[Trigger("broken_trigger")]
public sealed class BrokenTrigger : RoutineTrigger<TrigTrain, Trained, TrigAlert, AlertInput>
{
    public override AlertInput? InputFor(FinishedRun<Trained> run)
        => run.Output!.Key.StartsWith("break", StringComparison.Ordinal) ? throw new InvalidOperationException("the trigger's own bug") : null;
}
