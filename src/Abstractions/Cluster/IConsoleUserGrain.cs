namespace Routines.Cluster;

/// <summary>
/// The console users that admins manage from the console, kept in the service's store (users from the console's
/// configuration are not here). The console hashes passwords and checks them; the service only keeps them. Key 0.
/// </summary>
internal interface IConsoleUserGrain : IGrainWithIntegerKey
{
    Task<IReadOnlyList<ConsoleUserRecord>> ListAsync();

    Task<ConsoleUserRecord?> FindAsync(string name);

    /// <summary>False when a user of that name is stored already.</summary>
    Task<bool> AddAsync(ConsoleUserRecord user);

    /// <summary>Sets the role, the password hash, or both; false when no such user is stored.</summary>
    Task<bool> UpdateAsync(string name, string? passwordHash, string? role);

    Task<bool> RemoveAsync(string name);
}

[GenerateSerializer, Immutable]
internal sealed record ConsoleUserRecord(
    [property: Id(0)] string Name,
    [property: Id(1)] string PasswordHash,
    [property: Id(2)] string Role,
    [property: Id(3)] DateTimeOffset CreatedAt);
