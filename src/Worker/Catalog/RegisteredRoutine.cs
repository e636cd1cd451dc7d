using Routines.Client;
using Routines.Cluster;

namespace Routines.Worker.Catalog;

/// <summary>A routine class this worker hosts: its descriptor and how to invoke it.</summary>
internal sealed record RegisteredRoutine(
    Type Type,
    Type InputType,
    Type OutputType,
    RoutineDescriptor Descriptor,
    Func<object, object?, RoutineContext, Task<object?>> Invoke)
{
    public RoutineId Id => Descriptor.Id;
}
