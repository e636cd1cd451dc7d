using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Routines.Client;
using Routines.Silo.Hosting;
using Routines.Silo.Storage;

namespace Routines.Hosting;

/// <summary>
/// Which local process owns which runs of an embedded store, so runs whose process died (<c>Environment.Exit</c>, the
/// OOM killer, <c>kill -9</c>) do not stay Running for ever. Each embedded process writes a file beside the store
/// (<c>routines.db.owners/{pid}.{start}</c>) naming its worker id, and deletes it when it stops. The next embedded
/// process on that store finds the files of processes that are gone and closes their run trees as Failed, saying
/// which process ended while they ran: nothing else would (the embedded engine recovers no run, decision #42).
/// </summary>
internal sealed partial class LocalRunOwners(
    IRunStore store,
    IOptions<RoutinesServiceOptions> options,
    ILocalSiloDetails silo,
    TimeProvider clock,
    ILogger<LocalRunOwners> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    string? _ownFile;

    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe(nameof(LocalRunOwners), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    async Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateDirectory(Path.GetFullPath(options.Value.StorePath) + ".owners");
        foreach (var file in directory.GetFiles())
        {
            if (IsAlive(file.Name)) continue;
            await CloseRunsOfAsync(File.ReadAllText(file.FullName).Trim(), ProcessOf(file.Name), cancellationToken);
            file.Delete();
        }

        using var self = Process.GetCurrentProcess();
        _ownFile = Path.Combine(directory.FullName, $"{self.Id}.{self.StartTime.ToUniversalTime().Ticks}");
        await File.WriteAllTextAsync(_ownFile, silo.SiloAddress.ToParsableString(), cancellationToken);
    }

    Task StopAsync(CancellationToken cancellationToken)
    {
        if (_ownFile is not null) File.Delete(_ownFile);
        return Task.CompletedTask;
    }

    /// <summary>The runs the dead worker ran, with every unfinished run of their trees.</summary>
    async Task CloseRunsOfAsync(string workerId, string process, CancellationToken cancellationToken)
    {
        var unfinished = await store.ListUnfinishedRunsAsync(cancellationToken);
        var roots = unfinished.Where(r => r.Worker == workerId).Select(r => r.RootRunId).ToHashSet();
        var now = clock.GetUtcNow();
        foreach (var run in unfinished.Where(r => roots.Contains(r.RootRunId)))
        {
            var reason = $"Abandoned: {process} ended while the run was {run.Status.ToString().ToLowerInvariant()}; "
                       + "a local run ends with the process that runs it. Run it again.";
            await store.SaveRunAsync(run with
            {
                Status = RunStatus.Failed, FinishedAt = now, WaitReason = null,
                Error = new RunError("Routines.RunAbandoned", reason, RunId: run.RunId, RoutineId: run.RoutineId),
            }, [new RunEvent(run.RunId, now, RunStatus.Failed, run.Attempt, run.Worker, reason)], stored: run.Status, cancellationToken: cancellationToken);
            LogClosed(run.RunId, process);
        }
    }

    /// <summary>True while the process that wrote the file runs: the same id and the same start time.</summary>
    static bool IsAlive(string fileName)
    {
        var parts = fileName.Split('.');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var pid) || !long.TryParse(parts[1], out var started)) return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime().Ticks == started;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    static string ProcessOf(string fileName)
    {
        var parts = fileName.Split('.');
        return parts.Length == 2 && long.TryParse(parts[1], out var ticks)
            ? $"process {parts[0]} (started {new DateTime(ticks, DateTimeKind.Utc):yyyy-MM-dd HH:mm:ss} UTC)"
            : $"process {parts[0]}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed run {RunId} as abandoned: {Process} ended while it ran.")]
    partial void LogClosed(string runId, string process);
}
