namespace Routines.Ui.Services;

/// <summary>Whether the console can reach the cluster right now; the layout's banner listens to it.</summary>
public sealed class ClusterHealth(TimeProvider time)
{
    readonly Lock _lock = new();

    /// <summary>True until a call fails for a reason that means the cluster does not answer.</summary>
    public bool Reachable { get; private set; } = true;

    /// <summary>Why the last call failed, while unreachable.</summary>
    public string? Problem { get; private set; }

    /// <summary>When the cluster stopped answering, while unreachable.</summary>
    public DateTimeOffset? Since { get; private set; }

    /// <summary>Raised on a change between reachable and unreachable (on any thread).</summary>
    public event Action? Changed;

    public void ReportReachable()
    {
        lock (_lock)
        {
            if (Reachable) return;
            Reachable = true;
            Problem = null;
            Since = null;
        }

        Changed?.Invoke();
    }

    public void ReportUnreachable(string problem)
    {
        lock (_lock)
        {
            if (!Reachable && Problem == problem) return;
            if (Reachable) Since = time.GetUtcNow();
            Reachable = false;
            Problem = problem;
        }

        Changed?.Invoke();
    }
}
