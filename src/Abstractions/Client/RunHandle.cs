using System.Text.Json;
using Routines.Serialization;

namespace Routines.Client;

/// <summary>A submitted run: wait for it, read its result, follow its log, or cancel it.</summary>
public sealed class RunHandle(IRoutinesClient client, string runId)
{
    public string RunId { get; } = runId;

    /// <summary>Waits until the run is terminal and returns its record (which may be failed or cancelled).</summary>
    public Task<RunInfo> WaitAsync(CancellationToken cancellationToken = default) => client.WaitAsync(RunId, cancellationToken);

    /// <summary>Waits for the run and returns its output, or throws the routine's failure as an exception.</summary>
    public async Task<TOutput> GetResultAsync<TOutput>(JsonSerializerOptions? json = null, CancellationToken cancellationToken = default)
    {
        var run = await WaitAsync(cancellationToken);
        var output = await OffloadedOutput.ResolveAsync(RunOutcome.OutputOrThrow(run), a => client.OpenArtifactAsync(a.Hash, cancellationToken));
        return JsonSerializer.Deserialize<TOutput>(output!, json ?? RoutineJson.Default)!;
    }

    /// <summary>The run's log lines, then new ones live until the run ends; resume with the last sequence seen.</summary>
    public IAsyncEnumerable<RunLogLine> FollowLogsAsync(long afterSequence = 0, CancellationToken cancellationToken = default)
        => client.FollowLogsAsync(RunId, afterSequence, cancellationToken);

    public Task CancelAsync(string reason = "cancelled by a user", CancellationToken cancellationToken = default)
        => client.CancelAsync(RunId, reason, cancellationToken);
}
