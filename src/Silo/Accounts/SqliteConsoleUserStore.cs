using Microsoft.Data.Sqlite;
using Routines.Silo.Storage.Sqlite;
using Routines.Cluster;

namespace Routines.Silo.Accounts;

/// <summary>Console users in the embedded store's SQLite file, in a table of their own.</summary>
internal sealed class SqliteConsoleUserStore(string path) : IConsoleUserStore
{
    readonly SqliteSideTable _table = new(path,
        "CREATE TABLE IF NOT EXISTS console_users (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL);");

    Task<SqliteCommand> CommandAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
        => _table.CommandAsync(sql, cancellationToken, parameters);

    public async Task<IReadOnlyList<ConsoleUserRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var command = await CommandAsync("SELECT name, password_hash, role, created_at FROM console_users ORDER BY name", cancellationToken);
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<ConsoleUserRecord?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var command = await CommandAsync("SELECT name, password_hash, role, created_at FROM console_users WHERE name = $name", cancellationToken, ("$name", name));
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    public async Task<bool> AddAsync(ConsoleUserRecord user, CancellationToken cancellationToken = default)
    {
        await using var command = await CommandAsync(
            "INSERT INTO console_users (name, password_hash, role, created_at) VALUES ($name, $hash, $role, $created) ON CONFLICT (name) DO NOTHING",
            cancellationToken, ("$name", user.Name), ("$hash", user.PasswordHash), ("$role", user.Role), ("$created", user.CreatedAt.ToString("O")));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> UpdateAsync(string name, string? passwordHash, string? role, CancellationToken cancellationToken = default)
    {
        await using var command = await CommandAsync(
            "UPDATE console_users SET password_hash = COALESCE($hash, password_hash), role = COALESCE($role, role) WHERE name = $name",
            cancellationToken, ("$name", name), ("$hash", passwordHash), ("$role", role));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var command = await CommandAsync("DELETE FROM console_users WHERE name = $name", cancellationToken, ("$name", name));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    static async Task<IReadOnlyList<ConsoleUserRecord>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var users = new List<ConsoleUserRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            users.Add(new ConsoleUserRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.Parse(reader.GetString(3))));
        return users;
    }
}
