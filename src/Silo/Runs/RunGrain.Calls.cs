using Routines.Client;
using Routines.Cluster;
using Routines.Silo.Hosting;

namespace Routines.Silo.Runs;

/// <summary>
/// The calls other processes make (clients, the console, workers), each passing its exception through
/// <see cref="CallerSafeExceptions"/>: here rather than by Orleans' filter chain, as the other grains do, because a run's
/// calls are the service's hottest path. The rest are made only by the service's own grains and timers: Orleans hands
/// an exception to a caller in the same silo as it is, and a grain that passes it on to another process guards it.
/// </summary>
internal sealed partial class RunGrain
{
    public Task<RunInfo> SubmitAsync(RunRequest request) => CallerSafeExceptions.Guard(SubmitCoreAsync(request));
    public Task<RunInfo> ExecuteAsync(RunRequest request, TimeSpan maxWait) => CallerSafeExceptions.Guard(ExecuteCoreAsync(request, maxWait));
    public Task<RunInfo?> GetAsync() => CallerSafeExceptions.Guard(GetCoreAsync());
    public Task<RunInfo?> WaitAsync(TimeSpan maxWait) => CallerSafeExceptions.Guard(WaitCoreAsync(maxWait));
    public Task CancelAsync(string reason) => CallerSafeExceptions.Guard(CancelCoreAsync(reason));
    public Task ReportAsync(int attempt, RunTelemetry telemetry) => CallerSafeExceptions.Guard(ReportCoreAsync(attempt, telemetry));
}
