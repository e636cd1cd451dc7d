namespace Routines;

/// <summary>
/// An error as recorded with a run: exception type, message, stack, and the error that caused it. For a workflow that
/// failed because a child failed, <see cref="Cause"/> holds the child's error and <see cref="RunId"/> names the child.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RunError(
    [property: Id(0)] string Type,
    [property: Id(1)] string Message,
    [property: Id(2)] string? StackTrace = null,
    [property: Id(3)] RunError? Cause = null,
    [property: Id(4)] string? RunId = null,
    [property: Id(5)] string? RoutineId = null)
{
    /// <summary>Captures an exception and its inner exceptions; a failed child's error chain is kept whole.</summary>
    public static RunError From(Exception exception) => exception switch
    {
        RoutinesException { Error: { } recorded } routines => new RunError(
            exception.GetType().FullName!, routines.Message, exception.StackTrace, recorded),
        AggregateException { InnerExceptions.Count: 1 } aggregate => From(aggregate.InnerExceptions[0]),
        _ => new RunError(
            exception.GetType().FullName!, exception.Message, exception.StackTrace,
            exception.InnerException is { } inner ? From(inner) : null),
    };

    /// <summary>The deepest error of the chain: usually what a user has to fix.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public RunError Root => Cause?.Root ?? this;

    /// <summary>The chain as one line, outermost first: <c>Type: message (run id, routine id) &lt;- …</c>.</summary>
    /// <remarks>Replaces the record's generated printer, which walked <see cref="Root"/> — the error itself at the end of a chain — for ever.</remarks>
    public override string ToString() => string.Join(" <- ", Chain().Select(error =>
    {
        var where = string.Join(", ", new[] { error.RunId is null ? null : $"run {error.RunId}", error.RoutineId }.OfType<string>());
        return where.Length == 0 ? $"{error.Type}: {error.Message}" : $"{error.Type}: {error.Message} ({where})";
    }));

    /// <summary>The chain from this error down to the root, outermost first.</summary>
    public IEnumerable<RunError> Chain()
    {
        for (var error = this; error is not null; error = error.Cause) yield return error;
    }
}
