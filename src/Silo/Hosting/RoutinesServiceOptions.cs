namespace Routines.Silo.Hosting;

/// <summary>Settings of the service role, bound from the <c>Routines:Service</c> configuration section.</summary>
internal sealed class RoutinesServiceOptions
{
    /// <summary>
    /// The SQLite file of the embedded default store (relative paths are to the working directory). Empty means the
    /// host's default: <c>.routines/routines.db</c> under the project directory for a routines project.
    /// </summary>
    public string StorePath { get; set; } = "";

    /// <summary>
    /// At start, dispatch Pending runs again and hand back Running runs no live worker reports (a restarted service).
    /// Off for <c>run-routine</c>, whose process owns only the run it was asked for.
    /// </summary>
    public bool RecoverUnfinishedRuns { get; set; } = true;

    /// <summary>How long after start the service waits for surviving workers to report before recovering runs.</summary>
    public TimeSpan RecoveryDelay { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>
    /// The largest input a submit or a workflow's call may carry, in bytes of UTF-8 JSON (default 16 MiB). A larger one
    /// is refused before anything is recorded: pass data sets and models by reference, not inside the input.
    /// </summary>
    public int MaxInputBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The HTTP API's port (on the advertised address, or every interface with ListenOnAnyAddress).</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>The largest HTTP request body, in bytes (default 17 MiB: the largest input and room for its options); larger ones get 413.</summary>
    public long MaxRequestBytes { get; set; } = 17 * 1024 * 1024;

    /// <summary>
    /// How long a run waits in line to gain one level of priority (default 30 s; zero turns aging off): a run of
    /// priority 0 goes before new runs of priority 10 once it has waited ten times this.
    /// </summary>
    public TimeSpan PriorityAging { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long finished runs are kept, and how often the service removes older ones.</summary>
    public Runs.RetentionOptions Retention { get; set; } = new();
}
