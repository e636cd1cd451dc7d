using Microsoft.Extensions.Logging;

namespace Routines.Worker.Tests.Routines;

public sealed record AddInput(int A, int B);

public sealed record Sum(int Value);

[Routine("add", Version = "1.0.0", Description = "Adds two numbers.")]
public sealed class Add : RoutineTask<AddInput, Sum>
{
    public override Task<Sum> RunAsync(AddInput input, RoutineContext ctx)
    {
        ctx.Logger.LogInformation("adding {A} and {B}", input.A, input.B);
        ctx.ReportProgress(1, 1, "added");
        ctx.LogMetric("sum", input.A + input.B);
        return Task.FromResult(new Sum(input.A + input.B));
    }
}

public sealed record SumManyInput(IReadOnlyList<int> Values);

[Routine("sum_pairs")]
public sealed class SumPairs : RoutineWorkflow<SumManyInput, Sum>
{
    public override async Task<Sum> RunAsync(SumManyInput input, WorkflowContext ctx)
    {
        var sums = await Task.WhenAll(input.Values.Select(v => ctx.CallAsync<Add, Sum>(new AddInput(v, v))));
        return new Sum(sums.Sum(s => s.Value));
    }
}

public sealed record GivenCall(RoutineRef<AddInput, Sum> Adder, int A, int B);

/// <summary>Calls the adding routine its input names.</summary>
[Routine("calls_given")]
public sealed class CallsGiven : RoutineWorkflow<GivenCall, Sum>
{
    public override Task<Sum> RunAsync(GivenCall input, WorkflowContext ctx) => ctx.CallAsync(input.Adder, new AddInput(input.A, input.B));
}

public sealed record GivenCalls(RoutineRef<AddInput, Sum> Adder, int[] Values);

/// <summary>Calls the routine its input names once per value, all at once, with Task.WhenAll over async lambdas.</summary>
[Routine("calls_given_in_parallel")]
public sealed class CallsGivenInParallel : RoutineWorkflow<GivenCalls, Sum>
{
    public override async Task<Sum> RunAsync(GivenCalls input, WorkflowContext ctx)
    {
        var sums = await Task.WhenAll(input.Values.Select(async value => await ctx.CallAsync(input.Adder, new AddInput(value, value))));
        return new Sum(sums.Sum(s => s.Value));
    }
}
