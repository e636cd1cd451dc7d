using Routines.Cluster;

namespace Routines.Silo.Accounts;

/// <summary>Where the console's managed users are kept: beside the runs and the API tokens, in the service's store.</summary>
internal interface IConsoleUserStore
{
    Task<IReadOnlyList<ConsoleUserRecord>> ListAsync(CancellationToken cancellationToken = default);

    Task<ConsoleUserRecord?> FindAsync(string name, CancellationToken cancellationToken = default);

    Task<bool> AddAsync(ConsoleUserRecord user, CancellationToken cancellationToken = default);

    Task<bool> UpdateAsync(string name, string? passwordHash, string? role, CancellationToken cancellationToken = default);

    Task<bool> RemoveAsync(string name, CancellationToken cancellationToken = default);
}
