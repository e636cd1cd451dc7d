namespace Routines;

/// <summary>The run's record was removed by the service's retention policy: its result, logs and metrics are gone.</summary>
[GenerateSerializer]
public sealed class RunRemovedException(string runId, DateTimeOffset removedAt)
    : RoutinesException($"Run {runId} was removed on {removedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC by the service's retention policy "
                      + "(Routines:Service:Retention): its record, history, logs and metrics are gone.")
{
    [Id(0)] public string RunId { get; } = runId;

    [Id(1)] public DateTimeOffset RemovedAt { get; } = removedAt;
}
