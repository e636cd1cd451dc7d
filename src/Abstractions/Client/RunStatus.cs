namespace Routines.Client;

/// <summary>Where a run is in its life. The last four are terminal.</summary>
public enum RunStatus
{
    /// <summary>Accepted and recorded; waiting for a worker slot or for its next retry.</summary>
    Pending,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    TimedOut,
}

/// <summary>Helpers on <see cref="RunStatus"/>.</summary>
public static class RunStatusExtensions
{
    public static bool IsTerminal(this RunStatus status) => status >= RunStatus.Succeeded;
}
