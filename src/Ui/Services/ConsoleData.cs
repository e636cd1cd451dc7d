using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Routines.Client;
using Routines.Ui.Security;

namespace Routines.Ui.Services;

/// <summary>
/// Everything the pages read and do, over <see cref="IRoutinesClient"/> (the console never touches grains or the
/// database). Each call tells <see cref="ClusterHealth"/> whether the cluster answered.
/// </summary>
public sealed class ConsoleData(IRoutinesClient client, ClusterHealth health)
{
    /// <summary>Below Orleans' 30 s response timeout: a page should say "unreachable" long before that.</summary>
    static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A run tree larger than this is cut (the page says so).</summary>
    public const int MaxTreeSize = 2000;

    // Every worker seen since the console started (the health probe lists them every 2 s), so a run still names the
    // worker that ran it after that worker has gone.
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _workerNames = new();

    public Task<RunPage> ListRunsAsync(RunFilter filter, CancellationToken cancellationToken = default)
        => CallAsync(ct => client.ListRunsAsync(filter, ct), cancellationToken);

    /// <summary>How many runs match the filter in all and in each status (the filter's own status is ignored).</summary>
    public async Task<StatusCounts> CountByStatusAsync(RunFilter filter, CancellationToken cancellationToken = default)
    {
        var statuses = Enum.GetValues<RunStatus>();
        async Task<RunCount> CountAsync(RunStatus? status)
        {
            var page = await ListRunsAsync(filter with { Status = status, Skip = 0, Take = 0 }, cancellationToken);
            return new RunCount(page.Total, page.TotalIsLowerBound);
        }

        var all = CountAsync(null);
        var each = await Task.WhenAll(statuses.Select(s => CountAsync(s)));
        return new StatusCounts(await all, statuses.Zip(each).ToDictionary());
    }

    public Task<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
        => CallAsync(ct => client.GetRunAsync(runId, ct), cancellationToken);

    /// <summary>Every run of the tree that <paramref name="rootRunId"/> heads, oldest first.</summary>
    public async Task<IReadOnlyList<RunInfo>> GetTreeAsync(string rootRunId, CancellationToken cancellationToken = default)
    {
        // In pages of at most RunFilter.MaxTake; a run created meanwhile may shift a page, so each run counts once.
        var runs = new Dictionary<string, RunInfo>();
        for (var skip = 0; skip < MaxTreeSize; skip += RunFilter.MaxTake)
        {
            var take = Math.Min(RunFilter.MaxTake, MaxTreeSize - skip);
            var page = await ListRunsAsync(new RunFilter { RootRunId = rootRunId, Skip = skip, Take = take }, cancellationToken);
            foreach (var run in page.Runs) runs.TryAdd(run.RunId, run);
            if (page.Runs.Count < take) break;
        }

        return [.. runs.Values.OrderBy(r => r.CreatedAt).ThenBy(r => r.RunId, StringComparer.Ordinal)];
    }

    public Task<IReadOnlyList<RunLogLine>> GetLogsAsync(string runId, long afterSequence = 0, int limit = 1000, CancellationToken cancellationToken = default)
        => CallAsync(ct => client.GetLogsAsync(runId, afterSequence, limit, ct), cancellationToken);

    /// <summary>The run's log, then new lines live until the run ends.</summary>
    public async IAsyncEnumerable<RunLogLine> FollowLogsAsync(string runId, long afterSequence = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var lines = client.FollowLogsAsync(runId, afterSequence, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await lines.MoveNextAsync();
            }
            catch (Exception exception) when (IsUnreachable(exception))
            {
                throw Unreachable(exception);
            }

            if (!more) yield break;
            health.ReportReachable();
            yield return lines.Current;
        }
    }

    public Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(string runId, CancellationToken cancellationToken = default)
        => CallAsync(ct => client.GetMetricsAsync(runId, ct), cancellationToken);

    public Task<IReadOnlyList<RunEvent>> GetHistoryAsync(string runId, CancellationToken cancellationToken = default)
        => CallAsync(ct => client.GetHistoryAsync(runId, ct), cancellationToken);

    /// <summary>The run's artifacts: what it took, read, produced and returned.</summary>
    public Task<IReadOnlyList<RunArtifact>> ListArtifactsAsync(string runId, CancellationToken cancellationToken = default)
        => CallAsync(ct => client.ListArtifactsAsync(runId, ct), cancellationToken);

    /// <summary>The artifact's producer and consumers, oldest first.</summary>
    public Task<IReadOnlyList<RunArtifact>> GetLineageAsync(string hash, CancellationToken cancellationToken = default)
        => CallAsync(ct => client.GetLineageAsync(hash, ct), cancellationToken);

    public Task<Stream> OpenArtifactAsync(string hash, CancellationToken cancellationToken = default)
        => CallAsync(ct => client.OpenArtifactAsync(hash, ct), cancellationToken);

    /// <summary>
    /// Up to <paramref name="maxBytes"/> from the start of the artifact, for a preview, and whether that is all of it.
    /// A head is not checked against the hash (only a whole read is); the download is.
    /// </summary>
    public async Task<(byte[] Head, bool Whole)> ReadArtifactHeadAsync(string hash, int maxBytes, CancellationToken cancellationToken = default)
    {
        await using var stream = await OpenArtifactAsync(hash, cancellationToken);
        var buffer = new byte[maxBytes + 1];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0) filled += read;
        return (buffer[..Math.Min(filled, maxBytes)], filled <= maxBytes);
    }

    public async Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync(CancellationToken cancellationToken = default)
    {
        var workers = await CallAsync(ct => client.ListWorkersAsync(ct), cancellationToken);
        foreach (var worker in workers) _workerNames[worker.WorkerId] = worker.Name;
        return workers;
    }

    /// <summary>A run's worker as people know it: its name when the console has seen it, else its silo address.</summary>
    public string WorkerName(string? workerId)
        => workerId is null ? "—" : _workerNames.TryGetValue(workerId, out var name) ? name : workerId;

    public Task<IReadOnlyList<RoutineDescriptor>> ListRoutinesAsync(CancellationToken cancellationToken = default)
        => CallAsync(ct => client.ListRoutinesAsync(ct), cancellationToken);

    /// <summary>Submits a run and returns its id.</summary>
    public Task<string> SubmitAsync(ClaimsPrincipal user, string routineId, string inputJson, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ConsolePolicies.Demand(user, ConsoleRole.Operator, "launching a run");
        return CallAsync(async ct => (await client.SubmitAsync(routineId, inputJson, options, ct)).RunId, cancellationToken);
    }

    /// <summary>Cancels the run and its unfinished children.</summary>
    public Task CancelAsync(ClaimsPrincipal user, string runId, CancellationToken cancellationToken = default)
    {
        ConsolePolicies.Demand(user, ConsoleRole.Operator, "cancelling a run");
        return CallAsync(async ct =>
        {
            await client.CancelAsync(runId, $"cancelled by {user.Identity?.Name} from the console", ct);
            return true;
        }, cancellationToken);
    }

    /// <summary>Submits the run's routine and input again; returns the new run's id.</summary>
    public Task<string> RetryAsync(ClaimsPrincipal user, string runId, CancellationToken cancellationToken = default)
    {
        ConsolePolicies.Demand(user, ConsoleRole.Operator, "retrying a run");
        return CallAsync(async ct => (await client.RetryAsync(runId, ct)).RunId, cancellationToken);
    }

    public Task<IReadOnlyList<ScheduleInfo>> ListSchedulesAsync(CancellationToken cancellationToken = default)
        => CallAsync(ct => client.ListSchedulesAsync(ct), cancellationToken);

    public Task<ScheduleInfo?> GetScheduleAsync(string name, CancellationToken cancellationToken = default)
        => CallAsync(ct => client.GetScheduleAsync(name, ct), cancellationToken);

    public Task<IReadOnlyList<ScheduleTick>> ListScheduleTicksAsync(string name, int take, CancellationToken cancellationToken = default)
        => CallAsync(ct => client.ListScheduleTicksAsync(name, take, ct), cancellationToken);

    /// <summary>Creates the schedule or replaces the one of that name.</summary>
    public Task<ScheduleInfo> SaveScheduleAsync(ClaimsPrincipal user, Schedule schedule, CancellationToken cancellationToken = default)
    {
        ConsolePolicies.Demand(user, ConsoleRole.Operator, "changing schedules");
        return CallAsync(ct => client.SaveScheduleAsync(schedule, ct), cancellationToken);
    }

    /// <summary>Pauses or resumes the schedule; null when it is gone.</summary>
    public Task<ScheduleInfo?> SetSchedulePausedAsync(ClaimsPrincipal user, string name, bool paused, CancellationToken cancellationToken = default)
    {
        ConsolePolicies.Demand(user, ConsoleRole.Operator, "changing schedules");
        return CallAsync(ct => paused ? client.PauseScheduleAsync(name, ct) : client.ResumeScheduleAsync(name, ct), cancellationToken);
    }

    public Task<bool> RemoveScheduleAsync(ClaimsPrincipal user, string name, CancellationToken cancellationToken = default)
    {
        ConsolePolicies.Demand(user, ConsoleRole.Operator, "changing schedules");
        return CallAsync(ct => client.RemoveScheduleAsync(name, ct), cancellationToken);
    }

    /// <summary>A cheap call that tells <see cref="ClusterHealth"/> whether the cluster answers.</summary>
    internal Task ProbeAsync(CancellationToken cancellationToken) => ListWorkersAsync(cancellationToken);

    async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            var result = await call(cancellationToken).WaitAsync(CallTimeout, cancellationToken);
            health.ReportReachable();
            return result;
        }
        catch (Exception exception) when (IsUnreachable(exception) && !cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(exception);
        }
    }

    ClusterUnavailableException Unreachable(Exception exception)
    {
        var problem = exception is TimeoutException
            ? "the service did not answer within 10 seconds"
            : exception.Message;
        health.ReportUnreachable(problem);
        return new ClusterUnavailableException($"The cluster is unreachable ({problem}). The console keeps retrying; this page recovers when the service answers.", exception);
    }

    /// <summary>Failures that mean "nobody answered", as opposed to an answer that says no.</summary>
    internal static bool IsUnreachable(Exception exception) => exception switch
    {
        OrleansMessageRejectionException or SiloUnavailableException or Orleans.Runtime.Messaging.ConnectionFailedException or GatewayTooBusyException => true,
        TimeoutException => true,
        // The Orleans client refuses calls while it has not yet connected to any gateway.
        InvalidOperationException when exception.Source?.StartsWith("Orleans", StringComparison.Ordinal) == true => true,
        OrleansException { InnerException: { } inner } => IsUnreachable(inner),
        AggregateException { InnerException: { } inner } => IsUnreachable(inner),
        _ => false,
    };
}

/// <summary>How many runs match a filter in all and in each status.</summary>
public sealed record StatusCounts(RunCount All, IReadOnlyDictionary<RunStatus, RunCount> ByStatus);

/// <summary>How many runs match a filter: exactly, or at least <see cref="Total"/> (<see cref="RunPage.CountLimit"/>).</summary>
public readonly record struct RunCount(int Total, bool AtLeast)
{
    public override string ToString() => Total.ToString(CultureInfo.InvariantCulture) + (AtLeast ? "+" : "");
}
