namespace Routines.Hosting;

/// <summary>Settings of a worker, bound from the <c>Routines:Worker</c> configuration section.</summary>
internal sealed class WorkerOptions
{
    /// <summary>How many tasks may execute at once on this worker. Workflows only orchestrate and take no slot.</summary>
    public int Slots { get; set; } = Environment.ProcessorCount;

    /// <summary>On shutdown, how long running attempts may finish before they are handed back to the service.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);
}
