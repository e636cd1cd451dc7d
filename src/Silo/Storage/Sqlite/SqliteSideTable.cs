using Microsoft.Data.Sqlite;

namespace Routines.Silo.Storage.Sqlite;

/// <summary>
/// A table of its own in the embedded store's SQLite file (API tokens, console users), which the service and its
/// verbs share: a connection per call, and the table created by the first one.
/// </summary>
internal sealed class SqliteSideTable(string path, string createTable)
{
    readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString();
    volatile bool _created;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_created) Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = _created ? "PRAGMA busy_timeout = 30000;" : $"PRAGMA busy_timeout = 30000; {createTable}";
        await command.ExecuteNonQueryAsync(cancellationToken);
        _created = true;
        return connection;
    }

    /// <summary>A command on a connection of its own, which closes with the command.</summary>
    public async Task<SqliteCommand> CommandAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var connection = await OpenAsync(cancellationToken);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        command.Disposed += (_, _) => connection.Dispose();
        return command;
    }
}
