using System.Reflection;
using Npgsql;

namespace Routines.Silo.Storage.Postgres;

/// <summary>
/// The project's own versioned schema for PostgreSQL: the run store's tables and the tables and queries Orleans'
/// ADO.NET clustering and reminders read. Scripts are embedded resources named <c>NNNN_description.sql</c>, applied in
/// order, each once, each in its own transaction, under an advisory lock so concurrent starters do not race.
/// </summary>
internal static class PostgresMigrations
{
    const long LockKey = 0x526F7574696E6573; // "Routines"
    const string ResourcePrefix = "Routines.Silo.Storage.Postgres.Migrations.";

    /// <summary>The migrations this build knows, in order.</summary>
    public static IReadOnlyList<string> Known { get; } = typeof(PostgresMigrations).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^".sql".Length])
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Applies the migrations the database lacks; returns their names.</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is NpgsqlException or System.Net.Sockets.SocketException)
        {
            throw new RunStoreException(
                $"Cannot connect to PostgreSQL ({Describe(connectionString)}): {exception.Message}. Check Routines:Cluster:ConnectionString and that the server is up.",
                exception);
        }

        await ExecuteAsync(connection, null, "SELECT pg_advisory_lock(@key)", cancellationToken, ("key", LockKey));
        try
        {
            await ExecuteAsync(connection, null,
                "CREATE TABLE IF NOT EXISTS routines_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                cancellationToken);
            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using (var read = new NpgsqlCommand("SELECT name FROM routines_migrations", connection))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken)) applied.Add(reader.GetString(0));
            }

            var unknown = applied.Except(Known).Order().ToList();
            if (unknown.Count > 0)
            {
                throw new RunStoreException(
                    $"The PostgreSQL database ({Describe(connectionString)}) has migrations this build does not know ({string.Join(", ", unknown)}): "
                  + "it was migrated by a newer Routines. Upgrade this service or point it at another database.");
            }

            var done = new List<string>();
            foreach (var name in Known.Where(n => !applied.Contains(n)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, transaction, Script(name), cancellationToken);
                await ExecuteAsync(connection, transaction, "INSERT INTO routines_migrations (name) VALUES (@name)", cancellationToken, ("name", name));
                await transaction.CommitAsync(cancellationToken);
                done.Add(name);
            }

            return done;
        }
        finally
        {
            await ExecuteAsync(connection, null, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("key", LockKey));
        }
    }

    static string Script(string name)
    {
        using var stream = typeof(PostgresMigrations).Assembly.GetManifestResourceStream(ResourcePrefix + name + ".sql")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Host, port and database of a connection string, without the password.</summary>
    internal static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"host {builder.Host}:{builder.Port}, database {builder.Database}";
    }
}
