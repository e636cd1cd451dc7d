namespace Routines;

/// <summary>The input JSON does not fit the routine's input type. Nothing was recorded or run.</summary>
[GenerateSerializer]
public sealed class InvalidRoutineInputException(string routineId, string path, string problem)
    : RoutinesException($"Input for {routineId} is invalid at {path}: {problem}")
{
    [Id(0)] public string RoutineId { get; } = routineId;

    /// <summary>JSON path of the offending value, for example <c>$.epochs</c> (<c>$</c> is the whole input).</summary>
    [Id(1)] public string Path { get; } = path;

    /// <summary>What was wrong and what was expected.</summary>
    [Id(2)] public string Problem { get; } = problem;
}
