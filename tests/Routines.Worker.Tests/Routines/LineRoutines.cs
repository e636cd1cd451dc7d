namespace Routines.Worker.Tests.Routines;

/// <summary>Holds its slot until the test releases it.</summary>
[Routine("gate")]
[Retry(MaxAttempts = 1)]
public sealed class Gate(Executions executions) : RoutineTask<KeyInput, Done>
{
    public override async Task<Done> RunAsync(KeyInput input, RoutineContext ctx)
    {
        executions.StartedSignal(input.Key).TrySetResult();
        await executions.ReleaseSignal(input.Key).Task.WaitAsync(ctx.CancellationToken);
        return new Done(input.Key, ctx.Attempt);
    }
}

/// <summary>Holds its slot until the test releases it, and counts each attempt whose cancellation reached it ("key:cancelled:N").</summary>
[Routine("held")]
[Cache(false)]
public sealed class Held(Executions executions) : RoutineTask<KeyInput, Done>
{
    public override async Task<Done> RunAsync(KeyInput input, RoutineContext ctx)
    {
        executions.StartedSignal($"{input.Key}:{ctx.Attempt}").TrySetResult();
        try
        {
            await executions.ReleaseSignal(input.Key).Task.WaitAsync(ctx.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            executions.Increment($"{input.Key}:cancelled:{ctx.Attempt}");
            throw;
        }

        return new Done(input.Key, ctx.Attempt);
    }
}

public sealed record TagInput(string Key, int Tag);

/// <summary>Notes the order runs of a key executed in.</summary>
public abstract class NotesOrder(Executions executions) : RoutineTask<TagInput, Done>
{
    public override Task<Done> RunAsync(TagInput input, RoutineContext ctx)
    {
        executions.Order(input.Key).Enqueue(input.Tag);
        return Task.FromResult(new Done(input.Key, ctx.Attempt));
    }
}

[Routine("in_line")]
[Cache(false)]
public sealed class InLine(Executions executions) : NotesOrder(executions);

/// <summary>A second routine noting the same order, so that runs wait in two lines.</summary>
[Routine("in_line_too")]
[Cache(false)]
public sealed class InLineToo(Executions executions) : NotesOrder(executions);

public sealed record TrainingInput(string Key, string Model, int Index, bool WaitForTest = false);

/// <summary>At most two at once in the whole cluster; each notes how many ran beside it.</summary>
[Routine("limited_training")]
[Cache(false)]
[ConcurrencyLimit(2)]
public sealed class LimitedTraining(Executions executions) : RoutineTask<TrainingInput, Done>
{
    public override async Task<Done> RunAsync(TrainingInput input, RoutineContext ctx)
    {
        executions.Enter(input.Key);
        try
        {
            await Task.Delay(2, ctx.CancellationToken);
            return new Done(input.Key, ctx.Attempt);
        }
        finally
        {
            executions.Leave(input.Key);
        }
    }
}

/// <summary>One training per model at once; waits for the test when asked to.</summary>
[Routine("per_model_training")]
[Cache(false)]
[ConcurrencyLimit(1, Key = "model")]
public sealed class PerModelTraining(Executions executions) : RoutineTask<TrainingInput, Done>
{
    public override async Task<Done> RunAsync(TrainingInput input, RoutineContext ctx)
    {
        var key = $"{input.Key}-{input.Model}-{input.Index}";
        executions.StartedSignal(key).TrySetResult();
        if (input.WaitForTest) await executions.ReleaseSignal(key).Task.WaitAsync(ctx.CancellationToken);
        return new Done(key, ctx.Attempt);
    }
}

public sealed record PrioritizedInput(string Key);

/// <summary>Calls <see cref="InLine"/> once: the call inherits the workflow's priority.</summary>
[Routine("calls_in_line")]
public sealed class CallsInLine : RoutineWorkflow<PrioritizedInput, Done>
{
    public override async Task<Done> RunAsync(PrioritizedInput input, WorkflowContext ctx)
    {
        await ctx.CallAsync<Done>("in_line", new TagInput(input.Key, 1));
        return new Done(input.Key, ctx.Attempt);
    }
}

/// <summary>Fails its first execution, then waits a minute to retry: a test clock makes the minute pass at once.</summary>
[Routine("patient_retry")]
[Cache(false)]
[Retry(MaxAttempts = 2, InitialDelaySeconds = 60)]
public sealed class PatientRetry(Executions executions) : RoutineTask<KeyInput, Done>
{
    public override Task<Done> RunAsync(KeyInput input, RoutineContext ctx)
    {
        if (executions.Increment(input.Key) == 1) throw new InvalidOperationException("the first attempt fails");
        return Task.FromResult(new Done(input.Key, ctx.Attempt));
    }
}

/// <summary>Waits on its token until its 30 s timeout, which a test clock brings at once.</summary>
[Routine("waits_for_timeout")]
[Cache(false)]
[Timeout(30)]
[Retry(MaxAttempts = 1)]
public sealed class WaitsForTimeout(Executions executions) : RoutineTask<KeyInput, Done>
{
    public override async Task<Done> RunAsync(KeyInput input, RoutineContext ctx)
    {
        executions.StartedSignal(input.Key).TrySetResult();
        await Task.Delay(Timeout.InfiniteTimeSpan, ctx.CancellationToken);
        return new Done(input.Key, ctx.Attempt);
    }
}

public sealed record FanOutInput(string Key, int Trainings);

/// <summary>Starts its trainings the natural way, Task.WhenAll over async lambdas: their limit still holds.</summary>
[Routine("trains_in_parallel")]
public sealed class TrainsInParallel : RoutineWorkflow<FanOutInput, Done>
{
    public override async Task<Done> RunAsync(FanOutInput input, WorkflowContext ctx)
    {
        await Task.WhenAll(Enumerable.Range(0, input.Trainings).Select(async i =>
        {
            var done = await ctx.CallAsync<Done>("limited_training", new TrainingInput(input.Key, "m", i));
            return done.Key;
        }));
        return new Done(input.Key, ctx.Attempt);
    }
}

/// <summary>Declares a schedule: once a year, so no test on the machine's clock sees it fire.</summary>
[Routine("yearly_report")]
[Schedule(Cron = "0 0 1 1 *", TimeZone = "Europe/Paris", Input = """{"key":"yearly"}""", Overlap = Client.ScheduleOverlap.BufferOne)]
public sealed class YearlyReport : RoutineTask<KeyInput, Done>
{
    public override Task<Done> RunAsync(KeyInput input, RoutineContext ctx) => Task.FromResult(new Done(input.Key, ctx.Attempt));
}
