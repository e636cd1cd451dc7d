using Microsoft.Extensions.Logging;

namespace Routines.Client;

/// <summary>One line a routine wrote through <see cref="RoutineContext.Logger"/>. Sequence numbers grow per run.</summary>
[GenerateSerializer, Immutable]
public sealed record RunLogLine(
    [property: Id(0)] string RunId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] DateTimeOffset Timestamp,
    [property: Id(3)] LogLevel Level,
    [property: Id(4)] string Message,
    [property: Id(5)] int Attempt);
