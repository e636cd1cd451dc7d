using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Routines.Client;
using Routines.Cluster;
using Routines.Serialization;

namespace Routines.Worker.Execution;

/// <summary>
/// The context of a workflow attempt. A call's child run id says what the call is — a hash of the routine as the call
/// names it and its canonical input, and its occurrence among identical calls of this attempt — so a re-run of the
/// workflow finds the children it already started whatever order its calls start in (decisions #34, #75).
/// </summary>
internal sealed class WorkflowRunContext(Attempt attempt, string workerId, IGrainFactory grains, JsonSerializerOptions json) : WorkflowContext
{
    static readonly TimeSpan ChildPollInterval = TimeSpan.FromSeconds(30);

    readonly ConcurrentDictionary<string, int> _occurrences = new(); // a call's hash → the identical calls made so far

    public override string RunId => attempt.Request.RunId;

    public override string RoutineId => attempt.Request.Routine.ToString();

    public override int Attempt => attempt.Request.Attempt;

    public override ILogger Logger => attempt.Logger;

    public override CancellationToken CancellationToken => attempt.Cancellation.Token;

    public override void ReportProgress(long current, long total, string? message = null) => attempt.Telemetry.Progress(current, total, message);

    public override void LogMetric(string name, double value, long? step = null) => attempt.Telemetry.Metric(name, value, step);

    public override RoutineArtifacts Artifacts => attempt.Artifacts;

    /// <summary>A call's options with what it inherits from this run: <c>UseCache = false</c>, and a priority its call set.</summary>
    CallOptions? Inherited(CallOptions? options)
    {
        var request = attempt.Request;
        if (request.BypassCache && options?.UseCache is null) options = (options ?? new()) with { UseCache = false };
        if (request.Priority is { } priority && options?.Priority is null) options = (options ?? new()) with { Priority = priority };
        return options;
    }

    public override async Task<TOutput> CallAsync<TOutput>(string routineId, object? input, CallOptions? options = null)
    {
        CancellationToken.ThrowIfCancellationRequested();
        var inputJson = JsonSerializer.Serialize(input, json);
        var childId = ChildIdOf(routineId, inputJson);
        var finished = new TaskCompletionSource<ChildOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        attempt.Children[childId] = finished;
        try
        {
            var child = grains.Run(childId);
            var request = new RunRequest
            {
                RoutineId = routineId,
                InputJson = inputJson,
                Options = Inherited(options),
                ParentRunId = RunId,
                RootRunId = attempt.Request.RootRunId,
                ParentAttempt = Attempt,
                CallerWorker = workerId,
                TraceParent = RoutinesTelemetry.CurrentTraceParent,
            };
            ChildOutcome? ended;
            try
            {
                ended = await child.CallAsync(request);
            }
            catch (Exception exception) when (ServiceOutage.IsPassing(exception))
            {
                ended = await CallAgainAsync(child, request, exception);
            }

            ChildOutcome outcome;
            try
            {
                outcome = ended ?? await WaitForChildAsync(child, finished.Task);
            }
            catch (OperationCanceledException)
            {
                child.CancelAsync($"its parent run {RunId} was cancelled").Ignore();
                throw;
            }

            var output = await OffloadedOutput.ResolveAsync(RunOutcome.OutputOrThrow(outcome), OpenArtifact);
            return JsonSerializer.Deserialize<TOutput>(output!, json)!;
        }
        finally
        {
            attempt.Children.TryRemove(childId, out _);
        }
    }

    /// <summary>Reads an offloaded output; made once per attempt, and the attempt's artifacts only when one is read.</summary>
    Func<Artifact, Task<Stream>> OpenArtifact => field ??= artifact => Artifacts.OpenAsync(artifact);

    /// <summary>
    /// Waits out a service restart or a store outage: the child's id is fixed, so a call sent again attaches to the
    /// run an earlier one may have made instead of failing the workflow.
    /// </summary>
    async Task<ChildOutcome?> CallAgainAsync(IRunGrain child, RunRequest request, Exception outage)
    {
        Logger.LogWarning("Calling {RoutineId} waits for the service: {Reason}", request.RoutineId, outage.Message);
        for (var tries = 1; ; tries++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 * tries, 3000)), CancellationToken);
            try
            {
                return await child.CallAsync(request);
            }
            catch (Exception exception) when (ServiceOutage.IsPassing(exception)) { /* tried again after a longer pause */ }
        }
    }

    /// <summary>
    /// <c>{run id}.{hash}</c>, then <c>-{occurrence}</c> from the second of identical calls on: the hash is 12 base32
    /// characters (60 bits) of SHA-256(routine id as written, canonical input). Identical calls are interchangeable, so
    /// numbering them in start order is right whatever order they start in. Two different calls that shared the 60
    /// bits would be told apart by the service, which compares the recorded call in full.
    /// </summary>
    string ChildIdOf(string routineId, string inputJson)
    {
        Span<byte> sha256 = stackalloc byte[32];
        CanonicalJson.Hash(routineId, inputJson, sha256);
        var hash = Base32(BinaryPrimitives.ReadUInt64BigEndian(sha256));
        var occurrence = _occurrences.AddOrUpdate(hash, 1, static (_, n) => n + 1);
        return occurrence == 1 ? $"{RunId}.{hash}" : $"{RunId}.{hash}-{occurrence}";
    }

    /// <summary>The top 60 bits in lower-case base32 (RFC 4648's letters): run ids are searched lower-cased.</summary>
    static string Base32(ulong bits) => string.Create(12, bits, static (chars, bits) =>
    {
        for (var i = 0; i < chars.Length; i++) chars[i] = "abcdefghijklmnopqrstuvwxyz234567"[(int)(bits >> (59 - 5 * i)) & 31];
    });

    /// <summary>
    /// Waits for the child's completion message; asks the child directly now and then in case a message was lost
    /// (the service restarted between the child's end and its notification).
    /// </summary>
    async Task<ChildOutcome> WaitForChildAsync(IRunGrain child, Task<ChildOutcome> finished)
    {
        while (true)
        {
            try
            {
                return await finished.WaitAsync(ChildPollInterval, CancellationToken);
            }
            catch (TimeoutException)
            {
                try
                {
                    if (await child.GetAsync() is { } run && run.Status.IsTerminal()) return ChildOutcome.Of(run);
                }
                catch (Exception exception) when (ServiceOutage.IsPassing(exception)) { /* asked again at the next poll */ }
            }
        }
    }
}
