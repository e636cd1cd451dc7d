namespace Routines.Silo.Storage.Postgres;

/// <summary>Which PostgreSQL database holds the cluster's run store, and whether the service migrates it on start.</summary>
internal sealed class PostgresRunStoreOptions
{
    /// <summary>An Npgsql connection string (<c>Host=…;Port=…;Database=…;Username=…;Password=…</c>). Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Applies the schema migrations the database lacks when the store starts. When false the store only checks that
    /// the schema is current, and asks for <c>migrate</c> to be run when it is not.
    /// </summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// How long writes wait for a server that went away (a restart, a failover) before they fail. Writes queue in the
    /// meantime and land in order, each once, when it is back.
    /// </summary>
    public TimeSpan OutageTolerance { get; set; } = DefaultOutageTolerance;

    /// <summary>A minute: longer than a restart of the server; a worker delivers a result again until it is stored (decision #33).</summary>
    public static readonly TimeSpan DefaultOutageTolerance = TimeSpan.FromSeconds(60);
}
