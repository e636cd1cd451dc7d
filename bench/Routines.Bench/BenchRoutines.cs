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
