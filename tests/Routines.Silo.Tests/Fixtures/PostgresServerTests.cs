using Npgsql;

namespace Routines.Silo.Tests.Fixtures;

[Collection("postgres")]
public sealed class PostgresServerTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Server_AcceptsConnections_ToFreshDatabases()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select version()", connection);
        Assert.StartsWith("PostgreSQL 15", (string)(await command.ExecuteScalarAsync())!);
    }
}
