using Npgsql;

namespace Routines.Silo.Api;

/// <summary>Tokens in the cluster's PostgreSQL database (table <c>api_tokens</c>, migration 0007).</summary>
internal sealed class PostgresTokenStore(string connectionString) : ITokenStore, IAsyncDisposable
{
    readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    public async Task<bool> AddAsync(ApiToken token, string hash, CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand(
            "INSERT INTO api_tokens (name, scope, hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING");
        command.Parameters.Add(new() { Value = token.Name });
        command.Parameters.Add(new() { Value = (int)token.Scope });
        command.Parameters.Add(new() { Value = hash });
        command.Parameters.Add(new() { Value = token.CreatedAt });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand("SELECT name, scope, created_at, revoked_at FROM api_tokens ORDER BY name");
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<bool> RevokeAsync(string name, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand("UPDATE api_tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL");
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = at });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<ApiToken?> FindAsync(string hash, CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand("SELECT name, scope, created_at, revoked_at FROM api_tokens WHERE hash = $1 AND revoked_at IS NULL");
        command.Parameters.Add(new() { Value = hash });
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    static async Task<IReadOnlyList<ApiToken>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var tokens = new List<ApiToken>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tokens.Add(new ApiToken(reader.GetString(0), (TokenScope)reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return tokens;
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
