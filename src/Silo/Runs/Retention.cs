using Microsoft.Extensions.Logging;
using Routines.Client;
using Routines.Silo.Storage;

namespace Routines.Silo.Runs;

/// <summary>
/// How long finished runs are kept (<c>Routines:Service:Retention</c>): their records, history, logs and metrics. The
/// task cache keeps its own copy of each output, so a removed run's result still answers an identical call.
/// </summary>
internal sealed class RetentionOptions
{
    /// <summary>Children that succeeded: the many small steps of a workflow, kept while their tree is looked at (default 14 days).</summary>
    public TimeSpan SucceededChildren { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Roots of any final status, and children that failed, were cancelled or timed out (default 90 days).</summary>
    public TimeSpan Runs { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long the store remembers that a run was removed, to say so when it is asked for (default 365 days).</summary>
    public TimeSpan Tombstones { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// How long an artifact no kept run references stays in the artifact store before the sweep removes it (default
    /// 1 hour): a routine's attempt reports what it saved only when it ends. Artifacts stored since the oldest unfinished
    /// run was created are kept too, however old that run.
    /// </summary>
    public TimeSpan UnreferencedArtifacts { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the service sweeps (default hourly); zero turns the sweep off, leaving the <c>prune</c> verb.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Runs looked at, and at most removed, per transaction; the write path gets the store between batches.</summary>
    public int BatchSize { get; set; } = 500;

    public string? Validate()
    {
        if (SucceededChildren < TimeSpan.Zero || Runs < TimeSpan.Zero || Tombstones < TimeSpan.Zero || SweepInterval < TimeSpan.Zero || UnreferencedArtifacts < TimeSpan.Zero)
            return "Routines:Service:Retention:SucceededChildren, Runs, Tombstones, UnreferencedArtifacts and SweepInterval must not be negative.";
        if (SweepInterval > TimeSpan.Zero && SweepInterval < TimeSpan.FromSeconds(1))
            return $"Routines:Service:Retention:SweepInterval must be zero (no sweep) or at least 00:00:01 (got {SweepInterval}).";
        return BatchSize is < 1 or > 10_000 ? $"Routines:Service:Retention:BatchSize must be from 1 to 10000 (got {BatchSize})." : null;
    }

    public string Describe() => $"succeeded children {SucceededChildren.TotalDays:0.##} days, other runs {Runs.TotalDays:0.##} days after they finished";
}

/// <summary>A run the sweep looks at: enough of its record, and its tree's root's status, to decide.</summary>
internal sealed record RetentionCandidate(string RunId, DateTimeOffset CreatedAt, bool IsChild, RunStatus Status, DateTimeOffset? FinishedAt, RunStatus? RootStatus);

/// <summary>
/// One pass over the runs old enough to go, oldest first, in batches. A run goes when it is final, finished longer ago
/// than its class is kept, and its tree has ended: while a root is Pending or Running its workflow may be replayed,
/// and a replay reads its recorded children, so no run of an unfinished tree is ever removed.
/// </summary>
internal sealed partial class RetentionSweep(IRunStore store, RetentionOptions options, TimeProvider clock, ILogger<RetentionSweep> logger)
{
    /// <summary>The pause between batches, so a long sweep never holds the store's writer for long.</summary>
    static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);

    /// <returns>How many runs were removed.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // A run finishes after it is created: nothing created since the shorter cutoff can be old enough.
        var horizon = now - (options.SucceededChildren < options.Runs ? options.SucceededChildren : options.Runs);
        (DateTimeOffset CreatedAt, string RunId)? after = null;
        var removed = 0;
        while (true)
        {
            var batch = await store.ListRetentionCandidatesAsync(horizon, after, options.BatchSize, cancellationToken);
            var doomed = batch.Where(c => Removes(c, now)).Select(c => c.RunId).ToList();
            if (doomed.Count > 0) await store.RemoveRunsAsync(doomed, now, cancellationToken);
            removed += doomed.Count;
            if (batch.Count < options.BatchSize) break;
            after = (batch[^1].CreatedAt, batch[^1].RunId);
            await Task.Delay(Pause, clock, cancellationToken);
        }

        await store.ForgetRemovedAsync(now - options.Tombstones, cancellationToken);
        if (removed > 0) LogRemoved(removed, options.Describe());
        return removed;
    }

    internal bool Removes(RetentionCandidate run, DateTimeOffset now)
        => run.Status.IsTerminal() && run.FinishedAt is { } finished
           && run.RootStatus?.IsTerminal() != false // a removed root (null) has ended too
           && finished < now - (run.IsChild && run.Status == RunStatus.Succeeded ? options.SucceededChildren : options.Runs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Count} runs ({Policy}).")]
    partial void LogRemoved(int count, string policy);
}
