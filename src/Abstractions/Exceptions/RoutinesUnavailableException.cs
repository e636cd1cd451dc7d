namespace Routines;

/// <summary>
/// The service could not serve the call for now: its run store (the database) did not answer. Nothing was lost; the
/// same call can be tried again when the store is back.
/// </summary>
[GenerateSerializer]
public sealed class RoutinesUnavailableException(string message) : RoutinesException(message);
