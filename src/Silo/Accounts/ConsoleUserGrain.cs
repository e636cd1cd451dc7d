using Routines.Silo.Hosting;
using Orleans.Concurrency;
using Routines.Cluster;

namespace Routines.Silo.Accounts;

/// <summary>The console's managed users, straight from the store: the console validates, hashes and checks passwords.</summary>
[StatelessWorker]
internal sealed class ConsoleUserGrain(IConsoleUserStore store) : CallerSafeGrain, IConsoleUserGrain
{
    public Task<IReadOnlyList<ConsoleUserRecord>> ListAsync() => store.ListAsync();

    public Task<ConsoleUserRecord?> FindAsync(string name) => store.FindAsync(name);

    public Task<bool> AddAsync(ConsoleUserRecord user) => store.AddAsync(user);

    public Task<bool> UpdateAsync(string name, string? passwordHash, string? role) => store.UpdateAsync(name, passwordHash, role);

    public Task<bool> RemoveAsync(string name) => store.RemoveAsync(name);
}
