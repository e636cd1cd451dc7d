namespace Routines.Client;

/// <summary>What a worker is doing, from its heartbeats.</summary>
public enum WorkerStatus
{
    /// <summary>Joined, not yet taking runs.</summary>
    Initializing,

    /// <summary>No run executing.</summary>
    Idle,

    /// <summary>Executing at least one task.</summary>
    Working,

    /// <summary>Only workflows waiting on their children.</summary>
    Hanging,

    /// <summary>Stopping: takes no new runs, finishes or hands back the running ones.</summary>
    Terminating,
}
