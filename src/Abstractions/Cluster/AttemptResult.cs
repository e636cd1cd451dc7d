using Routines.Client;

namespace Routines.Cluster;

/// <summary>
/// How one attempt ended on its worker. <see cref="HandedBack"/>: the worker stopped before the attempt finished and
/// gives the run back to be dispatched again, without counting against its retries. <see cref="UnfinishedChildren"/>:
/// for a workflow, the calls the attempt left unfinished (null for a task, or from a worker that does not say).
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record AttemptResult(
    [property: Id(0)] RunStatus Status,
    [property: Id(1)] string? OutputJson = null,
    [property: Id(2)] RunError? Error = null,
    [property: Id(3)] bool HandedBack = false,
    [property: Id(4)] IReadOnlyList<Artifact>? Produced = null,
    [property: Id(5)] IReadOnlyList<Artifact>? Read = null,
    [property: Id(6)] IReadOnlyList<string>? UnfinishedChildren = null);
