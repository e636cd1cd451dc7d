using Microsoft.Extensions.Logging;

namespace Routines.Bench;

public sealed record Step(int Index, double Milliseconds = 0);

public sealed record Count(int Value);

/// <summary>Does nothing (or sleeps): measures what the engine costs around a task. Not cached, so every call runs.</summary>
[Routine("noop")]
[Cache(false)]
public sealed class Noop : RoutineTask<Step, Count>
{
    public override async Task<Count> RunAsync(Step input, RoutineContext ctx)
    {
        if (input.Milliseconds > 0) await Task.Delay(TimeSpan.FromMilliseconds(input.Milliseconds), ctx.CancellationToken);
        return new Count(input.Index);
    }
}

public sealed record Shape(int Children, double Milliseconds = 0);

[Routine("sequence")]
public sealed class Sequence : RoutineWorkflow<Shape, Count>
{
    public override async Task<Count> RunAsync(Shape input, WorkflowContext ctx)
    {
        var total = 0;
        for (var i = 0; i < input.Children; i++) total += (await ctx.CallAsync<Noop, Count>(new Step(i, input.Milliseconds))).Value;
        return new Count(total);
    }
}

[Routine("fan_out")]
public sealed class FanOut : RoutineWorkflow<Shape, Count>
{
    public override async Task<Count> RunAsync(Shape input, WorkflowContext ctx)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, input.Children).Select(i => ctx.CallAsync<Noop, Count>(new Step(i))));
        return new Count(results.Length);
    }
}

public sealed record Lines(int Count);

/// <summary>Writes log lines as fast as it can: what a log follower has to keep up with.</summary>
[Routine("log_lines")]
[Cache(false)]
public sealed class LogLines : RoutineTask<Lines, Count>
{
    public override Task<Count> RunAsync(Lines input, RoutineContext ctx)
    {
        for (var i = 1; i <= input.Count; i++) ctx.Logger.LogInformation("line {Line}", i);
        return Task.FromResult(new Count(input.Count));
    }
}

public sealed record ChaosStepInput(string Key, long Value, int Milliseconds);

/// <summary>Sleeps, records in the test journal (ROUTINES_TEST_JOURNAL) that it ran to its end, returns its value plus one. Not cached.</summary>
[Routine("chaos_step")]
[Cache(false)]
[Retry(MaxWorkerLosses = 100)] // the chaos kills far more often than any real worker dies
public sealed class ChaosStep : RoutineTask<ChaosStepInput, Count64>
{
    public override async Task<Count64> RunAsync(ChaosStepInput input, RoutineContext ctx)
    {
        await Task.Delay(input.Milliseconds, ctx.CancellationToken);
        Routines.Tests.Apps.Journal.Record(input.Key);
        return new Count64(input.Value + 1);
    }
}

public sealed record Count64(long Value);

public sealed record ChaosInput(string Key, long Seed, int Folds, int Milliseconds);

/// <summary>
/// Sequential and parallel children mixed: a preparation step, then folds in parallel whose scoring starts when their
/// training ends (in completion order, which a replay does not repeat), then a final step over all folds.
/// </summary>
[Routine("chaos_mix")]
[Retry(MaxAttempts = 1, MaxWorkerLosses = 100)]
public sealed class ChaosMix : RoutineWorkflow<ChaosInput, Count64>
{
    public override async Task<Count64> RunAsync(ChaosInput input, WorkflowContext ctx)
    {
        var prepared = await ctx.CallAsync<ChaosStep, Count64>(new ChaosStepInput($"{input.Key}-prep", input.Seed, input.Milliseconds));
        var folds = await Task.WhenAll(Enumerable.Range(0, input.Folds).Select(async fold =>
        {
            var trained = await ctx.CallAsync<ChaosStep, Count64>(
                new ChaosStepInput($"{input.Key}-f{fold}-train", prepared.Value + fold, input.Milliseconds * (input.Folds - fold)));
            var scored = await ctx.CallAsync<ChaosStep, Count64>(new ChaosStepInput($"{input.Key}-f{fold}-score", trained.Value * 2, input.Milliseconds));
            return scored.Value;
        }));
        // Weighted by fold, so a fold holding another fold's result changes the answer.
        return await ctx.CallAsync<ChaosStep, Count64>(new ChaosStepInput($"{input.Key}-final", folds.Select((score, fold) => (fold + 1) * score).Sum(), input.Milliseconds));
    }

    /// <summary>What <see cref="RunAsync"/> returns, computed without the engine.</summary>
    public static long Expected(ChaosInput input)
    {
        var prepared = input.Seed + 1;
        var folds = Enumerable.Range(0, input.Folds).Select(fold => (fold + 1) * ((prepared + fold + 1) * 2 + 1)).Sum();
        return folds + 1;
    }
}

public sealed record GroupStep(int Index, int Group);

/// <summary>The no-op under a concurrency limit per group: what the dispatcher's limits cost around a task.</summary>
[Routine("noop_limited")]
[Cache(false)]
[ConcurrencyLimit(2, Key = "group")]
public sealed class NoopLimited : RoutineTask<GroupStep, Count>
{
    public override Task<Count> RunAsync(GroupStep input, RoutineContext ctx) => Task.FromResult(new Count(input.Index));
}
