namespace Routines.Client;

/// <summary>
/// The policies a run runs under, resolved once when it was submitted: the call's <see cref="CallOptions"/> over the
/// routine's declared attributes over the defaults. A routine whose attributes change later does not change it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RunPolicy(
    [property: Id(0)] RetryPolicy Retry,
    [property: Id(1)] TimeSpan Timeout,
    [property: Id(2)] bool Cache,
    [property: Id(3)] ExecutionPolicy Execution,
    [property: Id(4)] int Priority = 0)
{
    /// <summary>The policy of a run of <paramref name="routine"/> submitted with <paramref name="options"/>.</summary>
    internal static RunPolicy Of(CallOptions? options, RoutineDescriptor routine) => new(
        options?.Retry ?? routine.Retry,
        options?.Timeout ?? routine.Timeout,
        routine.Kind == RoutineKind.Task && (options?.UseCache ?? routine.Cache), // a workflow's result is never cached
        options?.Execution ?? routine.Execution,
        options?.Priority ?? routine.Priority);
}
