namespace Routines.Silo.Hosting;

/// <summary>Settings of the service role, bound from the <c>Routines:Service</c> configuration section.</summary>
public sealed class RoutinesServiceOptions
{
    /// <summary>
    /// The SQLite file of the embedded default store (relative paths are to the working directory). Empty means the
    /// host's default: <c>.routines/routines.db</c> under the project directory for a routines project.
    /// </summary>
    public string StorePath { get; set; } = "";
}
