using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Routines.Client;
using Routines.Cluster;

namespace Routines.Ui.Tests.Components;

/// <summary>
/// An in-memory <see cref="IRoutinesClient"/> for component tests: runs to list (filtered as the query grain does) and
/// log lines pushed by the test while a component follows them.
/// </summary>
internal sealed class FakeRoutinesClient : IRoutinesClient
{
    readonly Dictionary<string, Channel<RunLogLine>> _logs = [];

    public List<RunInfo> Runs { get; } = [];

    public List<WorkerInfo> Workers { get; } = [];

    public List<RunFilter> Filters { get; } = [];

    public List<MetricPoint> Metrics { get; } = [];

    /// <summary>While set, listing runs fails as the Orleans client does when no gateway answers.</summary>
    public volatile bool Unreachable;

    public static RunInfo Run(string id, string routine, RunStatus status, DateTimeOffset created, string? parent = null, string? root = null) => new()
    {
        RunId = id,
        RoutineId = $"tname:{routine}:1.0.0",
        RoutineName = routine,
        RoutineVersion = "1.0.0",
        Kind = RoutineKind.Task,
        Status = status,
        Attempt = 1,
        InputJson = "{}",
        RootRunId = root ?? id,
        ParentRunId = parent,
        CreatedAt = created,
        StartedAt = created,
        FinishedAt = status.IsTerminal() ? created.AddSeconds(2) : null,
    };

    /// <summary>Makes a log line available to a follower of <paramref name="runId"/>.</summary>
    public void Log(string runId, long sequence, string message, Microsoft.Extensions.Logging.LogLevel level = Microsoft.Extensions.Logging.LogLevel.Information)
        => LogChannel(runId).Writer.TryWrite(new RunLogLine(runId, sequence, DateTimeOffset.UtcNow, level, message, 1));

    Channel<RunLogLine> LogChannel(string runId)
    {
        lock (_logs)
        {
            if (!_logs.TryGetValue(runId, out var channel)) _logs[runId] = channel = Channel.CreateUnbounded<RunLogLine>();
            return channel;
        }
    }

    /// <summary>How far a filter without a kept count is counted (<see cref="RunPage.CountLimit"/> in the stores).</summary>
    public int CountLimit { get; set; } = RunPage.CountLimit;

    public Task<RunPage> ListRunsAsync(RunFilter filter, CancellationToken cancellationToken = default)
    {
        lock (Filters) Filters.Add(filter);
        if (Unreachable) throw new SiloUnavailableException("Unable to connect to S127.0.0.1:30000:0");
        var matching = Runs.Where(r =>
                (filter.Status is null || r.Status == filter.Status)
                && (filter.RoutineName is null || r.RoutineName == filter.RoutineName)
                && (filter.RootRunId is null || r.RootRunId == filter.RootRunId)
                && (!filter.RootsOnly || r.ParentRunId is null)
                && (filter.CreatedAfter is null || r.CreatedAt >= filter.CreatedAfter)
                && (filter.CreatedBefore is null || r.CreatedAt < filter.CreatedBefore)
                && (filter.Search is null || r.RunId.StartsWith(filter.Search, StringComparison.OrdinalIgnoreCase) || r.RoutineName.Contains(filter.Search, StringComparison.OrdinalIgnoreCase)))
            .OrderByDescending(r => r.CreatedAt).ToList();
        var capped = !filter.HasKeptCount && matching.Count > CountLimit; // as the stores count a tree, a range or a search
        return Task.FromResult(new RunPage([.. matching.Skip(filter.Skip).Take(filter.Take)], capped ? CountLimit : matching.Count, capped));
    }

    public async IAsyncEnumerable<RunLogLine> FollowLogsAsync(string runId, long afterSequence = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var line in LogChannel(runId).Reader.ReadAllAsync(cancellationToken))
        {
            if (line.Sequence > afterSequence) yield return line;
        }
    }

    public Task<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default) => Task.FromResult(Runs.FirstOrDefault(r => r.RunId == runId));

    public Task<IReadOnlyList<RunInfo>> ListChildrenAsync(string runId, CancellationToken cancellationToken = default)
        => Task.FromResult<IReadOnlyList<RunInfo>>([.. Runs.Where(r => r.ParentRunId == runId)]);

    public Task<IReadOnlyList<RunLogLine>> GetLogsAsync(string runId, long afterSequence = 0, int limit = 1000, CancellationToken cancellationToken = default)
        => Task.FromResult<IReadOnlyList<RunLogLine>>([]);

    public Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(string runId, CancellationToken cancellationToken = default)
        => Task.FromResult<IReadOnlyList<MetricPoint>>([.. Metrics.Where(m => m.RunId == runId)]);

    public Task<IReadOnlyList<RunEvent>> GetHistoryAsync(string runId, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<RunEvent>>([]);

    public List<RunArtifact> Lineage { get; } = [];

    /// <summary>Artifact bytes by hash.</summary>
    public Dictionary<string, byte[]> Blobs { get; } = [];

    public Task<IReadOnlyList<RunArtifact>> ListArtifactsAsync(string runId, CancellationToken cancellationToken = default)
        => Task.FromResult<IReadOnlyList<RunArtifact>>([.. Lineage.Where(l => l.RunId == runId)]);

    public Task<IReadOnlyList<RunArtifact>> GetLineageAsync(string artifactHash, CancellationToken cancellationToken = default)
        => Task.FromResult<IReadOnlyList<RunArtifact>>([.. Lineage.Where(l => l.Artifact.Hash == artifactHash)]);

    public Task<Stream> OpenArtifactAsync(string artifactHash, CancellationToken cancellationToken = default)
        => Blobs.TryGetValue(artifactHash, out var bytes)
            ? Task.FromResult<Stream>(new MemoryStream(bytes, writable: false))
            : throw new ArtifactUnavailableException(artifactHash, $"No run records artifact {artifactHash}.");

    public Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<WorkerInfo>>(Workers);

    public List<RoutineDescriptor> Routines { get; } = [];

    public Task<IReadOnlyList<RoutineDescriptor>> ListRoutinesAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<RoutineDescriptor>>([.. Routines]);

    public Task<RunHandle> SubmitAsync(string routineId, string inputJson, CallOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<RunHandle> RetryAsync(string runId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task CancelAsync(string runId, string reason = "cancelled by a user", CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<RunInfo> ExecuteAsync(string routineId, string inputJson, CallOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<RunInfo> WaitAsync(string runId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public List<ScheduleInfo> Schedules { get; } = [];

    public List<ScheduleTick> Ticks { get; } = [];

    public Task<ScheduleInfo> SaveScheduleAsync(Schedule schedule, CancellationToken cancellationToken = default)
    {
        var saved = new ScheduleInfo { Schedule = schedule, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        Schedules.RemoveAll(s => s.Schedule.Name == schedule.Name);
        Schedules.Add(saved);
        return Task.FromResult(saved);
    }

    public Task<IReadOnlyList<ScheduleInfo>> ListSchedulesAsync(CancellationToken cancellationToken = default)
        => Task.FromResult<IReadOnlyList<ScheduleInfo>>([.. Schedules]);

    public Task<ScheduleInfo?> GetScheduleAsync(string name, CancellationToken cancellationToken = default)
        => Task.FromResult(Schedules.FirstOrDefault(s => s.Schedule.Name == name));

    public Task<ScheduleInfo?> PauseScheduleAsync(string name, CancellationToken cancellationToken = default) => SetPaused(name, true);

    public Task<ScheduleInfo?> ResumeScheduleAsync(string name, CancellationToken cancellationToken = default) => SetPaused(name, false);

    Task<ScheduleInfo?> SetPaused(string name, bool paused)
    {
        var index = Schedules.FindIndex(s => s.Schedule.Name == name);
        if (index < 0) return Task.FromResult<ScheduleInfo?>(null);
        Schedules[index] = Schedules[index] with { Paused = paused };
        return Task.FromResult<ScheduleInfo?>(Schedules[index]);
    }

    public Task<bool> RemoveScheduleAsync(string name, CancellationToken cancellationToken = default)
        => Task.FromResult(Schedules.RemoveAll(s => s.Schedule.Name == name) > 0);

    public Task<IReadOnlyList<ScheduleTick>> ListScheduleTicksAsync(string name, int take = 100, CancellationToken cancellationToken = default)
        => Task.FromResult<IReadOnlyList<ScheduleTick>>([.. Ticks.Take(take)]);
}
