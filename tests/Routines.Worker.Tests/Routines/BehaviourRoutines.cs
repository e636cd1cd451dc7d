using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Routines.Client;

namespace Routines.Worker.Tests.Routines;

/// <summary>Counts executions per key, so tests can prove what ran and how often.</summary>
public sealed class Executions
{
    readonly ConcurrentDictionary<string, int> _counts = new();
    readonly ConcurrentDictionary<string, TaskCompletionSource> _released = new();

    public int Increment(string key) => _counts.AddOrUpdate(key, 1, (_, n) => n + 1);

    public int Count(string key) => _counts.GetValueOrDefault(key);

    /// <summary>Signals when a routine has started, so a test can act on a running routine without sleeping.</summary>
    public ConcurrentDictionary<string, TaskCompletionSource> Started { get; } = new();

    public TaskCompletionSource StartedSignal(string key) => Started.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>The order in which runs of a key executed (each adds its tag as it starts).</summary>
    public ConcurrentQueue<int> Order(string key) => _orders.GetOrAdd(key, _ => new());

    readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _orders = new();
    readonly ConcurrentDictionary<string, int> _inside = new();
    readonly ConcurrentDictionary<string, int> _mostInside = new();

    /// <summary>A run of the key begins executing; <see cref="MostAtOnce"/> keeps the highest number inside at once.</summary>
    public void Enter(string key)
    {
        var inside = _inside.AddOrUpdate(key, 1, (_, n) => n + 1);
        _mostInside.AddOrUpdate(key, inside, (_, most) => Math.Max(most, inside));
    }

    public void Leave(string key) => _inside.AddOrUpdate(key, 0, (_, n) => n - 1);

    public int MostAtOnce(string key) => _mostInside.GetValueOrDefault(key);

    /// <summary>Lets a routine that waits for the test go on.</summary>
    public TaskCompletionSource ReleaseSignal(string key) => _released.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
}

public sealed record KeyInput(string Key, int FailTimes = 0);

public sealed record Done(string Key, int Attempt);

[Routine("flaky")]
[Retry(MaxAttempts = 3, InitialDelaySeconds = 0.01, NonRetryable = [typeof(ArgumentException)])]
public sealed class Flaky(Executions executions) : RoutineTask<KeyInput, Done>
{
    public override Task<Done> RunAsync(KeyInput input, RoutineContext ctx)
    {
        var n = executions.Increment(input.Key);
        ctx.Logger.LogWarning("execution {N} of {Key}", n, input.Key);
        if (input.Key.StartsWith("bad-argument")) throw new ArgumentException($"{input.Key} is not a valid key");
        if (n <= input.FailTimes) throw new InvalidOperationException($"boom {n}");
        return Task.FromResult(new Done(input.Key, ctx.Attempt));
    }
}

[Routine("counted")]
public sealed class Counted(Executions executions) : RoutineTask<KeyInput, Done>
{
    public override Task<Done> RunAsync(KeyInput input, RoutineContext ctx)
    {
        executions.Increment("counted:" + input.Key);
        return Task.FromResult(new Done(input.Key, ctx.Attempt));
    }
}

/// <summary>Cached, and slow enough that identical calls made together are all in flight at once.</summary>
[Routine("counted_slowly")]
public sealed class CountedSlowly(Executions executions) : RoutineTask<KeyInput, Done>
{
    public override async Task<Done> RunAsync(KeyInput input, RoutineContext ctx)
    {
        executions.Increment("counted_slowly:" + input.Key);
        await Task.Delay(300, ctx.CancellationToken);
        return new Done(input.Key, ctx.Attempt);
    }
}

public sealed record RepeatInput(string Key, int Calls, int Distinct);

/// <summary>Makes many calls at once, most of them identical to another.</summary>
[Routine("repeating")]
public sealed class Repeating : RoutineWorkflow<RepeatInput, IReadOnlyList<string>>
{
    public override async Task<IReadOnlyList<string>> RunAsync(RepeatInput input, WorkflowContext ctx)
        => (await Task.WhenAll(Enumerable.Range(0, input.Calls)
            .Select(i => ctx.CallAsync<CountedSlowly, Done>(new KeyInput($"{input.Key}-{i % input.Distinct}"))))).Select(d => d.Key).ToList();
}

[Routine("uncached")]
[Cache(false)]
public sealed class Uncached(Executions executions) : RoutineTask<KeyInput, Done>
{
    public override Task<Done> RunAsync(KeyInput input, RoutineContext ctx)
    {
        executions.Increment("uncached:" + input.Key);
        return Task.FromResult(new Done(input.Key, ctx.Attempt));
    }
}

/// <summary>Runs three counted children, then fails on its first attempt: the retry must reuse the children's results.</summary>
[Routine("fail_after_children")]
[Retry(MaxAttempts = 2, InitialDelaySeconds = 0.01)]
public sealed class FailAfterChildren(Executions executions) : RoutineWorkflow<KeyInput, Done>
{
    public override async Task<Done> RunAsync(KeyInput input, WorkflowContext ctx)
    {
        for (var i = 0; i < 3; i++)
            await ctx.CallAsync<Uncached, Done>(new KeyInput($"{input.Key}-{i}"));
        if (executions.Increment("wf:" + input.Key) == 1) throw new InvalidOperationException("workflow crashed after its children");
        return new Done(input.Key, ctx.Attempt);
    }
}

/// <summary>Calls a workflow that fails the first time after its own call; its retry restarts that child.</summary>
[Routine("restarts_child")]
[Retry(MaxAttempts = 2, InitialDelaySeconds = 0.01)]
public sealed class RestartsChild : RoutineWorkflow<KeyInput, Done>
{
    public override Task<Done> RunAsync(KeyInput input, WorkflowContext ctx) => ctx.CallAsync<FailsOnceAfterItsCall, Done>(input);
}

[Routine("fails_once_after_its_call")]
[Retry(MaxAttempts = 1)]
public sealed class FailsOnceAfterItsCall(Executions executions) : RoutineWorkflow<KeyInput, Done>
{
    public override async Task<Done> RunAsync(KeyInput input, WorkflowContext ctx)
    {
        await ctx.CallAsync<Uncached, Done>(new KeyInput($"{input.Key}-inner"));
        if (executions.Increment("fails_once:" + input.Key) == 1) throw new InvalidOperationException("fails once after its call");
        return new Done(input.Key, ctx.Attempt);
    }
}

public sealed record DelayInput(string Key, double Seconds);

[Routine("sleepy")]
[Timeout(0.5)]
[Retry(MaxAttempts = 1)]
public sealed class Sleepy(Executions executions) : RoutineTask<DelayInput, Done>
{
    public override async Task<Done> RunAsync(DelayInput input, RoutineContext ctx)
    {
        executions.StartedSignal(input.Key).TrySetResult();
        await Task.Delay(TimeSpan.FromSeconds(input.Seconds), ctx.CancellationToken);
        return new Done(input.Key, ctx.Attempt);
    }
}

/// <summary>Ignores its cancellation token: the timeout must still end the run.</summary>
[Routine("stubborn")]
[Timeout(0.3)]
[Retry(MaxAttempts = 1)]
public sealed class Stubborn : RoutineTask<DelayInput, Done>
{
    public override async Task<Done> RunAsync(DelayInput input, RoutineContext ctx)
    {
        await Task.Delay(TimeSpan.FromSeconds(input.Seconds));
        return new Done(input.Key, ctx.Attempt);
    }
}

/// <summary>
/// Blocks its thread without ever awaiting until the test releases it, so its worker cannot even notice the timeout:
/// only the service's own watchdog can end the run in time.
/// </summary>
[Routine("frozen")]
[Timeout(0.3)]
[Retry(MaxAttempts = 1)]
public sealed class Frozen(Executions executions) : RoutineTask<KeyInput, Done>
{
    public override Task<Done> RunAsync(KeyInput input, RoutineContext ctx)
    {
        // Capped, so a test that fails before releasing it does not hold the worker's shutdown forever.
        executions.ReleaseSignal(input.Key).Task.Wait(TimeSpan.FromSeconds(60));
        return Task.FromResult(new Done(input.Key, ctx.Attempt));
    }
}

[Routine("long_wait")]
[Retry(MaxAttempts = 1)]
public sealed class LongWait(Executions executions) : RoutineTask<DelayInput, Done>
{
    public override async Task<Done> RunAsync(DelayInput input, RoutineContext ctx)
    {
        executions.StartedSignal(input.Key).TrySetResult();
        await Task.Delay(TimeSpan.FromSeconds(input.Seconds), ctx.CancellationToken);
        return new Done(input.Key, ctx.Attempt);
    }
}

public sealed record FanInput(string Key, int Children, double Seconds);

[Routine("wait_on_children")]
public sealed class WaitOnChildren : RoutineWorkflow<FanInput, Done>
{
    public override async Task<Done> RunAsync(FanInput input, WorkflowContext ctx)
    {
        await Task.WhenAll(Enumerable.Range(0, input.Children)
            .Select(i => ctx.CallAsync<LongWait, Done>(new DelayInput($"{input.Key}-{i}", input.Seconds))));
        return new Done(input.Key, ctx.Attempt);
    }
}

/// <summary>Starts a long child and one that ends at once, awaits only the second and returns: the first is left running.</summary>
[Routine("leave_child_running")]
public sealed class LeaveChildRunning(Executions executions) : RoutineWorkflow<KeyInput, Done>
{
    public override async Task<Done> RunAsync(KeyInput input, WorkflowContext ctx)
    {
        _ = ctx.CallAsync<LongWait, Done>(new DelayInput($"{input.Key}-left", 60));
        await executions.StartedSignal($"{input.Key}-left").Task.WaitAsync(TimeSpan.FromSeconds(30));
        await ctx.CallAsync<LongWait, Done>(new DelayInput($"{input.Key}-awaited", 0));
        return new Done(input.Key, ctx.Attempt);
    }
}

/// <summary>
/// Starts three long calls with async lambdas, as a <c>Task.WhenAll</c> would, then fails before awaiting them: an
/// exception leaves them running, and its one attempt (no retry) ends the run.
/// </summary>
[Routine("throws_with_calls_running")]
[Retry(MaxAttempts = 1)]
public sealed class ThrowsWithCallsRunning(Executions executions) : RoutineWorkflow<KeyInput, Done>
{
    public override async Task<Done> RunAsync(KeyInput input, WorkflowContext ctx)
    {
        var calls = Enumerable.Range(0, 3).Select(async i => await ctx.CallAsync<LongWait, Done>(new DelayInput($"{input.Key}-{i}", 60))).ToList();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => executions.StartedSignal($"{input.Key}-{i}").Task.WaitAsync(TimeSpan.FromSeconds(30))));
        throw new InvalidOperationException($"gave up with {calls.Count} calls running");
    }
}

[Routine("parent_of_failure")]
public sealed class ParentOfFailure : RoutineWorkflow<KeyInput, Done>
{
    public override Task<Done> RunAsync(KeyInput input, WorkflowContext ctx)
        => ctx.CallAsync<Flaky, Done>(new KeyInput("bad-argument-" + input.Key));
}

public sealed record DepthInput(int Depth, int Width);

/// <summary>Nests itself <c>Depth</c> levels deep, each level fanning out <c>Width</c> adds in parallel.</summary>
[Routine("nested")]
public sealed class Nested : RoutineWorkflow<DepthInput, Sum>
{
    public override async Task<Sum> RunAsync(DepthInput input, WorkflowContext ctx)
    {
        var adds = Task.WhenAll(Enumerable.Range(1, input.Width).Select(i => ctx.CallAsync<Add, Sum>(new AddInput(i, 0))));
        var below = input.Depth > 1 ? await ctx.CallAsync<Nested, Sum>(new DepthInput(input.Depth - 1, input.Width)) : new Sum(0);
        return new Sum((await adds).Sum(s => s.Value) + below.Value);
    }
}

/// <summary>A task that tries to start another routine through the client: it must get a clear error.</summary>
[Routine("sneaky")]
[Retry(MaxAttempts = 1)]
public sealed class Sneaky(IRoutinesClient client) : RoutineTask<KeyInput, Done>
{
    public override async Task<Done> RunAsync(KeyInput input, RoutineContext ctx)
    {
        await client.SubmitAsync("add", """{"a":1,"b":2}""");
        return new Done(input.Key, ctx.Attempt);
    }
}

public sealed record Dataset(string Name, IReadOnlyList<double> Values, Mode Mode, Inner Inner, string? Note = null);

public enum Mode { Fast, Careful }

public sealed record Inner(int Depth);

[Routine("typed")]
public sealed class Typed : RoutineTask<Dataset, Sum>
{
    public override Task<Sum> RunAsync(Dataset input, RoutineContext ctx) => Task.FromResult(new Sum(input.Values.Count));
}

/// <summary>Calls a different routine first on its retry: the call runs anew, the first attempt's child stays as history.</summary>
[Routine("shifty")]
[Retry(MaxAttempts = 2, InitialDelaySeconds = 0.01)]
public sealed class Shifty : RoutineWorkflow<KeyInput, Done>
{
    public override async Task<Done> RunAsync(KeyInput input, WorkflowContext ctx)
    {
        if (ctx.Attempt == 1)
        {
            await ctx.CallAsync<Counted, Done>(new KeyInput(input.Key));
            throw new InvalidOperationException("first attempt fails after its call");
        }

        return await ctx.CallAsync<Uncached, Done>(new KeyInput(input.Key));
    }
}

/// <summary>Passes another input to its first call on the retry: the call must get its own result, not the recorded one.</summary>
[Routine("drifting")]
[Retry(MaxAttempts = 2, InitialDelaySeconds = 0.01)]
public sealed class Drifting : RoutineWorkflow<KeyInput, Done>
{
    public override async Task<Done> RunAsync(KeyInput input, WorkflowContext ctx)
    {
        var done = await ctx.CallAsync<Counted, Done>(new KeyInput($"{input.Key}-attempt{ctx.Attempt}"));
        if (ctx.Attempt == 1) throw new InvalidOperationException("first attempt fails after its call");
        return done;
    }
}

public sealed record FoldsInput(string Key, int Folds);

/// <summary>
/// Cross-validation as C# writes it: folds in parallel, each fold's second call made when its first call ends. The first
/// attempt makes its second calls in reverse fold order (fold f waits for fold f+1's), then fails; the retry finds the
/// first calls recorded and makes the second calls as they return, in fold order.
/// </summary>
[Routine("folds")]
[Retry(MaxAttempts = 2, InitialDelaySeconds = 0.01)]
public sealed class Folds : RoutineWorkflow<FoldsInput, IReadOnlyList<string>>
{
    public override async Task<IReadOnlyList<string>> RunAsync(FoldsInput input, WorkflowContext ctx)
    {
        var scoredFold = Enumerable.Range(0, input.Folds).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var results = await Task.WhenAll(Enumerable.Range(0, input.Folds).Select(async fold =>
        {
            var trained = await ctx.CallAsync<Counted, Done>(new KeyInput($"{input.Key}-fold{fold}"));
            if (ctx.Attempt == 1 && fold + 1 < input.Folds) await scoredFold[fold + 1].Task;
            var scored = await ctx.CallAsync<Counted, Done>(new KeyInput($"{trained.Key}-scored"));
            scoredFold[fold].TrySetResult();
            return scored.Key;
        }));
        if (ctx.Attempt == 1) throw new InvalidOperationException("first attempt fails after its folds");
        return results;
    }
}

/// <summary>A service no test registers.</summary>
public interface IFeatureStore;

/// <summary>Takes a service the host does not have: a definition error, not a transient failure.</summary>
[Routine("needs_feature_store")]
[Retry(MaxAttempts = 3, InitialDelaySeconds = 0.01)]
public sealed class NeedsFeatureStore(IFeatureStore features) : RoutineTask<KeyInput, Done>
{
    public override Task<Done> RunAsync(KeyInput input, RoutineContext ctx) => Task.FromResult(new Done(features.ToString()!, ctx.Attempt));
}
