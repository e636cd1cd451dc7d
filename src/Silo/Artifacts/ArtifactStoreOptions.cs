namespace Routines.Silo.Artifacts;

/// <summary>Where artifacts are kept, bound from <c>Routines:Artifacts</c>. Every service and worker of a cluster must name the same store.</summary>
internal sealed class ArtifactStoreOptions
{
    /// <summary><c>file</c> (a directory: local, or a volume every pod mounts) or <c>azure</c> (Azure Blob Storage).</summary>
    public string Store { get; set; } = "file";

    /// <summary>
    /// The file store's directory. Empty: <c>artifacts</c> beside the embedded store's SQLite file (<c>.routines/artifacts</c>
    /// in a routines project), or <c>.routines/artifacts</c> under the working directory for a cluster process.
    /// </summary>
    public string Path { get; set; } = "";

    /// <summary>The Azure Storage connection string (an account key, a SAS, or Azurite's development string).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The blob container, created when missing.</summary>
    public string Container { get; set; } = "routines-artifacts";

    /// <summary>How long a call to the store may take before it counts as unreachable (each try; Azure tries 3 times).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A run's output JSON larger than this many bytes (default 256 KiB) is stored as an artifact by the engine, the
    /// run record keeping a reference in its place; 0 never offloads. Read where the worker runs the routine.
    /// </summary>
    public int OffloadOutputBytes { get; set; } = 256 * 1024;

    /// <summary>What is wrong with these settings, or null.</summary>
    public string? Problem() => OffloadOutputBytes < 0 ? "Routines:Artifacts:OffloadOutputBytes must be 0 (never) or more." : Store.ToLowerInvariant() switch
    {
        "file" => null,
        "azure" when string.IsNullOrWhiteSpace(ConnectionString) => "Routines:Artifacts:ConnectionString is required when Routines:Artifacts:Store is azure.",
        "azure" when string.IsNullOrWhiteSpace(Container) => "Routines:Artifacts:Container must name a blob container.",
        "azure" => null,
        _ => $"Routines:Artifacts:Store is '{Store}'; it is file or azure.",
    };
}
