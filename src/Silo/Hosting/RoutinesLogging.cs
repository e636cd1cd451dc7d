using Microsoft.Extensions.Logging;

namespace Routines.Silo.Hosting;

/// <summary>What the service's and a worker's console show: their own lines, and Orleans' warnings that apply.</summary>
internal static class RoutinesLogging
{
    public static ILoggingBuilder AddRoutinesFilters(this ILoggingBuilder logging) => logging
        .AddFilter("Orleans", LogLevel.Warning)
        // At every start: two notes that server GC is off, which these processes choose (workstation GC, a gen0 budget:
        // docs/cluster.md), and the watchdog's first check, which reports the time since the machine booted as a stall.
        .AddFilter("Orleans.Runtime.Silo", LogLevel.Error)
        .AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information)
        .AddFilter("Polly", LogLevel.Warning);
}
