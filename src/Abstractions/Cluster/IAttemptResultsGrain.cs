namespace Routines.Cluster;

/// <summary>
/// Where workers send the results of their attempts, many per call; it hands each to its run's grain. A stateless
/// worker on the service (key 0).
/// </summary>
internal interface IAttemptResultsGrain : IGrainWithIntegerKey
{
    /// <summary>Returns once every run's grain has taken its result; fails if any did not (sending again is safe).</summary>
    Task DeliverAsync(IReadOnlyList<AttemptReport> reports);
}
