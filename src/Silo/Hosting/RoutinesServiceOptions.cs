namespace Routines.Silo.Hosting;

/// <summary>Settings of the service role, bound from the <c>Routines:Service</c> configuration section.</summary>
public sealed class RoutinesServiceOptions
{
    /// <summary>The SQLite file of the embedded default store, relative to the working directory.</summary>
    public string StorePath { get; set; } = Path.Combine(".routines", "routines.db");
}
