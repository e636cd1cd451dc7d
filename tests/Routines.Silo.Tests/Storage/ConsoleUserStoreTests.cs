using Routines.Cluster;
using Routines.Silo.Accounts;
using Routines.Silo.Storage.Postgres;
using Routines.Silo.Tests.Fixtures;

namespace Routines.Silo.Tests.Storage;

/// <summary>The console's managed users on both stores: added once, changed, removed, and what each keeps.</summary>
[Collection("postgres")]
public sealed class ConsoleUserStoreTests(PostgresFixture postgres)
{
    [Fact]
    public async Task OnSqlite() => await BehavesAsync(new SqliteConsoleUserStore(Path.Combine(Directory.CreateTempSubdirectory("routines-users-").FullName, "routines.db")));

    [Fact]
    public async Task OnPostgres()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        await using (var runs = new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = connectionString })) await runs.InitializeAsync(); // migrations
        await using var users = new PostgresConsoleUserStore(connectionString);
        await BehavesAsync(users);
    }

    static async Task BehavesAsync(IConsoleUserStore store)
    {
        var created = new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);
        Assert.True(await store.AddAsync(new ConsoleUserRecord("newbie", "hash-1", "Operator", created)));
        Assert.False(await store.AddAsync(new ConsoleUserRecord("newbie", "hash-2", "Admin", created)));
        Assert.True(await store.AddAsync(new ConsoleUserRecord("ada", "hash-3", "Viewer", created)));

        Assert.Equal(["ada", "newbie"], (await store.ListAsync()).Select(u => u.Name));
        Assert.Equal(new ConsoleUserRecord("newbie", "hash-1", "Operator", created), await store.FindAsync("newbie"));

        Assert.True(await store.UpdateAsync("newbie", null, "Viewer"));
        Assert.Equal(("hash-1", "Viewer"), await HashAndRoleAsync(store, "newbie"));
        Assert.True(await store.UpdateAsync("newbie", "hash-9", null));
        Assert.Equal(("hash-9", "Viewer"), await HashAndRoleAsync(store, "newbie"));
        Assert.False(await store.UpdateAsync("nobody", "x", "Admin"));

        Assert.True(await store.RemoveAsync("newbie"));
        Assert.False(await store.RemoveAsync("newbie"));
        Assert.Null(await store.FindAsync("newbie"));
        Assert.Equal(["ada"], (await store.ListAsync()).Select(u => u.Name));
    }

    static async Task<(string, string)> HashAndRoleAsync(IConsoleUserStore store, string name)
        => await store.FindAsync(name) is { } user ? (user.PasswordHash, user.Role) : ("", "");
}
