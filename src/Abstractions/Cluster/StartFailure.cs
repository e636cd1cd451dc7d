namespace Routines.Cluster;

/// <summary>Why the service's start of an attempt did not reach its worker (<see cref="IRunGrain.StartFailedAsync"/>).</summary>
internal enum StartFailure
{
    /// <summary>The worker's silo is gone or unknown to placement: the routine did not run.</summary>
    Unreachable,

    /// <summary>The call timed out: the worker may have the start or not.</summary>
    Unanswered,

    /// <summary>The worker, or the call on its way, rejected the start: an attempt that failed.</summary>
    Refused,
}
