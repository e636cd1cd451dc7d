using Routines.Cli.Connection;
using Routines.Client;
using Routines.Rendering;

namespace Routines.Cli.Commands;

/// <summary>
/// Follows a run tree until its root ends: the root's log over Server-Sent Events, and — polled, since they have no
/// stream of their own — the tree's status and progress and the log lines of the runs below the root.
/// </summary>
internal sealed class RunFollower(RoutinesApi api, RunTreePrinter printer)
{
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    readonly Dictionary<string, long> _lastLine = [];
    readonly HashSet<string> _drained = [];

    /// <summary>Prints everything until the root run ends, then returns the final tree.</summary>
    public async Task<RunTree> FollowAsync(string runId, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watching = WatchAsync(runId, stop.Token);
        try
        {
            await LogStream.FollowAsync(api, runId, printer.Log, cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await watching;
        }

        return await CatchUpAsync(runId, CancellationToken.None);
    }

    /// <summary>Prints what changed until the root run is terminal (after a cancel, say), then returns the final tree.</summary>
    public async Task<RunTree> WaitAsync(string runId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var tree = await CatchUpAsync(runId, cancellationToken);
            if (tree.Run.Status.IsTerminal()) return tree;
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    async Task WatchAsync(string runId, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                try
                {
                    await CatchUpAsync(runId, cancellationToken);
                }
                catch (CliException exception) when (exception.ExitCode == ExitCodes.ServerUnreachable)
                {
                    // The log stream reconnects, and fails the command if the service stays away; the next poll may succeed.
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    async Task<RunTree> CatchUpAsync(string runId, CancellationToken cancellationToken)
    {
        var tree = await api.GetAsync<RunTree>($"runs/{Uri.EscapeDataString(runId)}/tree", cancellationToken);
        foreach (var child in tree.All().Skip(1).Where(c => !_drained.Contains(c.RunId)))
        {
            // Read after the status, so a run seen terminal here has no line left to come.
            var after = _lastLine.GetValueOrDefault(child.RunId);
            var lines = await api.GetAsync<IReadOnlyList<RunLogLine>>($"runs/{Uri.EscapeDataString(child.RunId)}/logs?after={after}", cancellationToken);
            foreach (var line in lines) printer.Log(line);
            if (lines.Count > 0) _lastLine[child.RunId] = lines[^1].Sequence;
            if (child.Status.IsTerminal() && lines.Count < 1000) _drained.Add(child.RunId);
        }

        foreach (var run in tree.All()) printer.Run(run.View());
        return tree;
    }
}
