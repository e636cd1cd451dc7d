using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Routines.Tests.Apps;

public sealed record StepInput(string Key, int Milliseconds);

public sealed record StepOutput(string Key, int Pid, string Worker);

/// <summary>
/// Records that it began (a key's "began" line, <see cref="Journal.Began"/>), sleeps, then records that it ran. Not
/// cached: every call executes.
/// </summary>
[Routine("step")]
[Cache(false)]
public sealed class Step : RoutineTask<StepInput, StepOutput>
{
    /// <summary>The routine's own spans, which must nest under its attempt's (the telemetry tests record this source).</summary>
    public static readonly ActivitySource Source = new("Routines.Tests.Apps");

    public override async Task<StepOutput> RunAsync(StepInput input, RoutineContext ctx)
    {
        using var span = Source.StartActivity("step work");
        Journal.Record(Journal.Began(input.Key));
        await Task.Delay(input.Milliseconds, ctx.CancellationToken);
        Journal.Record(input.Key);
        return new StepOutput(input.Key, Environment.ProcessId, Environment.GetEnvironmentVariable("WORKER_NAME") ?? "?");
    }
}

public sealed record PipelineInput(string Key, int Steps, int Milliseconds);

public sealed record PipelineOutput(IReadOnlyList<StepOutput> Steps);

/// <summary>Runs its steps one after another; a killed host makes it resume elsewhere from the recorded steps.</summary>
[Routine("pipeline")]
public sealed class Pipeline : RoutineWorkflow<PipelineInput, PipelineOutput>
{
    public override async Task<PipelineOutput> RunAsync(PipelineInput input, WorkflowContext ctx)
    {
        var results = new List<StepOutput>();
        for (var i = 0; i < input.Steps; i++)
            results.Add(await ctx.CallAsync<Step, StepOutput>(new StepInput($"{input.Key}-{i}", input.Milliseconds)));
        return new PipelineOutput(results);
    }
}

public sealed record CrossValidationInput(string Key, int Folds, int Milliseconds);

/// <summary>
/// Cross-validation as C# writes it: the folds in parallel, each fold scored as soon as it is trained. Later folds
/// train faster, so the scoring calls start in reverse fold order; after a failover the replay finds the trainings
/// recorded and starts the scorings in fold order. Each fold's result must still be its own.
/// </summary>
[Routine("cross_validate")]
public sealed class CrossValidate : RoutineWorkflow<CrossValidationInput, IReadOnlyList<string>>
{
    public override async Task<IReadOnlyList<string>> RunAsync(CrossValidationInput input, WorkflowContext ctx)
        => await Task.WhenAll(Enumerable.Range(0, input.Folds).Select(async fold =>
        {
            var trained = await ctx.CallAsync<Step, StepOutput>(new StepInput($"{input.Key}-fold{fold}", input.Milliseconds * (input.Folds - fold)));
            var scored = await ctx.CallAsync<Step, StepOutput>(new StepInput($"{trained.Key}-scored", input.Milliseconds));
            return scored.Key;
        }));
}

public sealed record FanInput(string Key, int Children, int Milliseconds);

/// <summary>Fans out no-op or sleeping steps in parallel.</summary>
[Routine("fan")]
public sealed class Fan : RoutineWorkflow<FanInput, int>
{
    public override async Task<int> RunAsync(FanInput input, WorkflowContext ctx)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, input.Children)
            .Select(i => ctx.CallAsync<Step, StepOutput>(new StepInput($"{input.Key}-{i}", input.Milliseconds))));
        return results.Length;
    }
}

/// <summary>Fans out steps that run on this workflow's own worker while it has a free slot (execution policy PreferLocal).</summary>
[Routine("prefer_local_fan")]
public sealed class PreferLocalFan : RoutineWorkflow<FanInput, IReadOnlyList<StepOutput>>
{
    public override async Task<IReadOnlyList<StepOutput>> RunAsync(FanInput input, WorkflowContext ctx)
    {
        var preferLocal = new CallOptions { Execution = ExecutionPolicy.PreferLocal };
        return await Task.WhenAll(Enumerable.Range(0, input.Children)
            .Select(i => ctx.CallAsync<Step, StepOutput>(new StepInput($"{input.Key}-{i}", input.Milliseconds), preferLocal)));
    }
}

/// <summary>Fans out steps that must run on this workflow's own worker (execution policy Local).</summary>
[Routine("local_fan")]
public sealed class LocalFan : RoutineWorkflow<FanInput, int>
{
    public override async Task<int> RunAsync(FanInput input, WorkflowContext ctx)
    {
        var local = new CallOptions { Execution = ExecutionPolicy.Local };
        var results = await Task.WhenAll(Enumerable.Range(0, input.Children)
            .Select(i => ctx.CallAsync<Step, StepOutput>(new StepInput($"{input.Key}-{i}", input.Milliseconds), local)));
        return results.Length;
    }
}

/// <summary>
/// Starts one cached call every <c>Milliseconds</c>, without waiting for the ones before: its calls are submitted
/// whatever the store is doing, and each submit reads the store (the cache).
/// </summary>
[Routine("staggered_cached_fan")]
public sealed class StaggeredCachedFan : RoutineWorkflow<FanInput, int>
{
    public override async Task<int> RunAsync(FanInput input, WorkflowContext ctx)
    {
        var cached = new CallOptions { UseCache = true };
        var calls = new List<Task<StepOutput>>();
        for (var i = 0; i < input.Children; i++)
        {
            calls.Add(ctx.CallAsync<Step, StepOutput>(new StepInput($"{input.Key}-{i}", 1), cached));
            await Task.Delay(input.Milliseconds, ctx.CancellationToken);
        }

        return (await Task.WhenAll(calls)).Length;
    }
}

public sealed record SpinInput(string Key, int Seconds);

/// <summary>
/// Keeps a core busy for <c>Seconds</c> without ever looking at its cancellation token or awaiting: its timeout (1 s)
/// ends the run, not the loop.
/// </summary>
[Routine("spin")]
[Timeout(1)]
[Retry(MaxAttempts = 1)]
[Cache(false)]
public sealed class Spin : RoutineTask<SpinInput, int>
{
    public override Task<int> RunAsync(SpinInput input, RoutineContext ctx)
    {
        var until = DateTime.UtcNow.AddSeconds(input.Seconds);
        var turns = 0;
        while (DateTime.UtcNow < until) turns++;
        Journal.Record(input.Key);
        return Task.FromResult(turns);
    }
}

public sealed record ExitInput(string Key, int ExitCode);

/// <summary>Ends its worker's process, as a crash or a careless <c>Environment.Exit</c> would: a poison run.</summary>
[Routine("exit_process")]
public sealed class ExitProcess : RoutineTask<ExitInput, StepOutput>
{
    public override Task<StepOutput> RunAsync(ExitInput input, RoutineContext ctx)
    {
        Journal.Record(input.Key);
        Environment.Exit(input.ExitCode);
        return Task.FromResult(new StepOutput(input.Key, Environment.ProcessId, "unreachable"));
    }
}

/// <summary>Returns its input's key; cached, so a submit reads the task cache before anything else.</summary>
[Routine("echo")]
public sealed class Echo : RoutineTask<StepInput, StepOutput>
{
    public override Task<StepOutput> RunAsync(StepInput input, RoutineContext ctx)
        => Task.FromResult(new StepOutput(input.Key, Environment.ProcessId, Environment.GetEnvironmentVariable("WORKER_NAME") ?? "?"));
}

public sealed record ChattyInput(string Key, int Lines, int Milliseconds);

/// <summary>Writes numbered log lines, a pause after each: a log to follow while the run goes on.</summary>
[Routine("chatty")]
[Cache(false)]
public sealed class Chatty : RoutineTask<ChattyInput, int>
{
    public override async Task<int> RunAsync(ChattyInput input, RoutineContext ctx)
    {
        for (var line = 1; line <= input.Lines; line++)
        {
            ctx.Logger.LogInformation("line {Line} of {Key}", line, input.Key);
            ctx.LogMetric("lines", line, step: line);
            await Task.Delay(input.Milliseconds, ctx.CancellationToken);
        }

        return input.Lines;
    }
}

/// <summary>
/// Writes terminal escape sequences into everything a user's terminal may print — a log line, a progress message, its
/// error — as a hostile routine would to clear the screen or hide a line.
/// </summary>
[Routine("hostile")]
[Cache(false)]
[Retry(MaxAttempts = 1)]
public sealed class Hostile : RoutineTask<StepInput, int>
{
    public const string Sequence = "\u001b[2J\u001b]0;owned\u0007\rhidden\u009b1A\u202e";

    public override Task<int> RunAsync(StepInput input, RoutineContext ctx)
    {
        ctx.Logger.LogWarning("clear {Sequence}", Sequence);
        ctx.ReportProgress(1, 2, $"half {Sequence}");
        throw new InvalidOperationException($"failed {Sequence}");
    }
}

/// <summary>Ends at once; its trigger starts echo with the same key on the run's worker's project.</summary>
[Routine("chained_step")]
[Cache(false)]
public sealed class ChainedStep : RoutineTask<StepInput, StepOutput>
{
    public override Task<StepOutput> RunAsync(StepInput input, RoutineContext ctx)
        => Task.FromResult(new StepOutput(input.Key, Environment.ProcessId, Environment.GetEnvironmentVariable("WORKER_NAME") ?? "?"));
}

[Trigger("then_echo")]
public sealed class ThenEcho : RoutineTrigger<ChainedStep, StepOutput, Echo, StepInput>
{
    public override StepInput? InputFor(FinishedRun<StepOutput> run) => new(run.Output!.Key + "-echoed", 0);
}

/// <summary>A blob to make: how many megabytes of the seeded pseudo-random stream.</summary>
public sealed record BlobSpec(int Megabytes, int Seed);

/// <summary>What a reader found in an artifact: its own SHA-256 of the bytes, their count, and its worker.</summary>
public sealed record BlobCheck(string Sha256, long Bytes, string Worker);

public sealed record Lines(int Count);

/// <summary>Returns about 100 bytes per line: with enough lines, more than the engine keeps in a run record.</summary>
[Routine("many_lines")]
[Cache(false)]
public sealed class ManyLines : RoutineTask<Lines, string[]>
{
    public override Task<string[]> RunAsync(Lines input, RoutineContext ctx)
        => Task.FromResult(Enumerable.Range(0, input.Count).Select(i => $"line {i} " + new string('y', 90)).ToArray());
}
