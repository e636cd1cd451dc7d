namespace Routines.Silo.Storage.Sqlite;

/// <summary>Where the embedded SQLite run store keeps its file, and how long it waits for a lock.</summary>
internal sealed class SqliteRunStoreOptions
{
    /// <summary>The database file; a relative path is relative to the working directory. Created if missing.</summary>
    public string Path { get; set; } = ".routines/routines.db";

    /// <summary>How long a write waits for another process's lock on the file before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
