using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Routines.Silo.Tests.Fixtures.FailoverFirst", "Routines.Silo.Tests")]

namespace Routines.Silo.Tests.Fixtures;

/// <summary>
/// Starts the failover tests first, the others in their usual order. xUnit runs two test collections at a time here (one
/// per core); the failover tests take over half of this assembly's time, mostly waiting for processes and the database
/// to restart, and started late they ran alone for minutes at the end of the suite.
/// </summary>
public sealed class FailoverFirst : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
        => testCollections.OrderBy(collection => collection.DisplayName.EndsWith("." + nameof(Cluster.FailoverTests), StringComparison.Ordinal) ? 0 : 1);
}
