using Microsoft.Data.Sqlite;
using Routines.Silo.Storage.Sqlite;

namespace Routines.Silo.Api;

/// <summary>Tokens in the embedded store's SQLite file, in a table of their own (the service and the token verb share the file).</summary>
internal sealed class SqliteTokenStore(string path) : ITokenStore
{
    readonly SqliteSideTable _table = new(path, """
        CREATE TABLE IF NOT EXISTS api_tokens (
            name TEXT PRIMARY KEY, scope INTEGER NOT NULL, hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL, revoked_at TEXT NULL);
        """);

    Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => _table.OpenAsync(cancellationToken);

    public async Task<bool> AddAsync(ApiToken token, string hash, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO api_tokens (name, scope, hash, created_at) VALUES ($name, $scope, $hash, $created) ON CONFLICT (name) DO NOTHING";
        command.Parameters.AddWithValue("$name", token.Name);
        command.Parameters.AddWithValue("$scope", (int)token.Scope);
        command.Parameters.AddWithValue("$hash", hash);
        command.Parameters.AddWithValue("$created", token.CreatedAt.ToString("O"));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, scope, created_at, revoked_at FROM api_tokens ORDER BY name";
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<bool> RevokeAsync(string name, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE api_tokens SET revoked_at = $at WHERE name = $name AND revoked_at IS NULL";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$at", at.ToString("O"));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<ApiToken?> FindAsync(string hash, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, scope, created_at, revoked_at FROM api_tokens WHERE hash = $hash AND revoked_at IS NULL";
        command.Parameters.AddWithValue("$hash", hash);
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    static async Task<IReadOnlyList<ApiToken>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var tokens = new List<ApiToken>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tokens.Add(new ApiToken(reader.GetString(0), (TokenScope)reader.GetInt32(1), DateTimeOffset.Parse(reader.GetString(2)),
                reader.IsDBNull(3) ? null : DateTimeOffset.Parse(reader.GetString(3))));
        }

        return tokens;
    }
}
