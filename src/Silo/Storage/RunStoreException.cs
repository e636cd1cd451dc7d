namespace Routines.Silo.Storage;

/// <summary>The run store cannot be opened or written: says which store, what failed, and what to do.</summary>
[GenerateSerializer]
public sealed class RunStoreException(string message, Exception? inner = null) : RoutinesException(message, inner);
