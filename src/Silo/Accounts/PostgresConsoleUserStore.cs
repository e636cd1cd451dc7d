using Npgsql;
using Routines.Cluster;

namespace Routines.Silo.Accounts;

/// <summary>Console users in the cluster's PostgreSQL database (table <c>console_users</c>, migration 0008).</summary>
internal sealed class PostgresConsoleUserStore(string connectionString) : IConsoleUserStore, IAsyncDisposable
{
    readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    NpgsqlCommand Command(string sql, params object?[] values)
    {
        var command = _source.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }

    public async Task<IReadOnlyList<ConsoleUserRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT name, password_hash, role, created_at FROM console_users ORDER BY name");
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<ConsoleUserRecord?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT name, password_hash, role, created_at FROM console_users WHERE name = $1", name);
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    public async Task<bool> AddAsync(ConsoleUserRecord user, CancellationToken cancellationToken = default)
    {
        await using var command = Command("INSERT INTO console_users (name, password_hash, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
            user.Name, user.PasswordHash, user.Role, user.CreatedAt);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> UpdateAsync(string name, string? passwordHash, string? role, CancellationToken cancellationToken = default)
    {
        await using var command = Command("UPDATE console_users SET password_hash = COALESCE($2, password_hash), role = COALESCE($3, role) WHERE name = $1",
            name, passwordHash, role);
        command.Parameters[1].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        command.Parameters[2].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var command = Command("DELETE FROM console_users WHERE name = $1", name);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    static async Task<IReadOnlyList<ConsoleUserRecord>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var users = new List<ConsoleUserRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            users.Add(new ConsoleUserRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        return users;
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
