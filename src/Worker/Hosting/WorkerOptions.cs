namespace Routines.Hosting;

/// <summary>Settings of a worker, bound from the <c>Routines:Worker</c> configuration section.</summary>
public sealed class WorkerOptions
{
    /// <summary>How many tasks may execute at once on this worker. Workflows only orchestrate and take no slot.</summary>
    public int Slots { get; set; } = Environment.ProcessorCount;
}
