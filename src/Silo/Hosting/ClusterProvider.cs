namespace Routines.Silo.Hosting;

/// <summary>How the silos of a Routines cluster find each other and where the service keeps its records.</summary>
internal enum ClusterProvider
{
    /// <summary>The embedded default: localhost clustering around the service silo, run records in SQLite.</summary>
    Localhost,

    /// <summary>ADO.NET clustering and reminders on PostgreSQL, run records in PostgreSQL.</summary>
    Postgres,
}
