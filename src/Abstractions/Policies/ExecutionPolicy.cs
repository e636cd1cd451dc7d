namespace Routines;

/// <summary>Where a workflow's child runs in a cluster.</summary>
public enum ExecutionPolicy
{
    /// <summary>On the least loaded capable worker (the cluster default).</summary>
    Remote,

    /// <summary>On the calling workflow's worker, waiting for one of its slots.</summary>
    Local,

    /// <summary>On the calling workflow's worker when it has a free slot, else as <see cref="Remote"/>.</summary>
    PreferLocal,
}
