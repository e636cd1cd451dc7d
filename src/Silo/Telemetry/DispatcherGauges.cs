using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Routines.Silo.Dispatch;

namespace Routines.Silo.Telemetry;

/// <summary>
/// The dispatcher's state as gauges, read when metrics are collected, from the service's start. Their meter comes from
/// the silo's <see cref="IMeterFactory"/>, so it ends with the silo rather than reporting a stopped one's last state.
/// </summary>
/// <remarks>
/// The dispatcher is looked up once the silo is active, not injected: participants are built with the silo, and with the
/// dispatcher built that early a restarted service never registered a worker that joined after it (seen in
/// FailoverTests.ServiceRestart_ASubmitBeforeAnyWorkerReports_WaitsForTheWorker).
/// </remarks>
internal sealed class DispatcherGauges(IServiceProvider services, IMeterFactory meters) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe<DispatcherGauges>(ServiceLifecycleStage.Active, _ =>
    {
        var dispatcher = services.GetRequiredService<Dispatcher>();
        var meter = meters.Create(RoutinesTelemetry.MeterName);
        meter.CreateObservableGauge("routines.runs.pending", dispatcher.PendingByRoutine, "{run}",
            "Runs waiting in line for a worker's slot, by routine.");
        meter.CreateObservableGauge("routines.workers", dispatcher.WorkersByStatus, "{worker}",
            "Workers known to the dispatcher, by status.");
        meter.CreateObservableGauge("routines.worker.slots.busy", () => dispatcher.SlotsByWorker(busy: true), "{slot}",
            "Task slots executing an attempt, by worker.");
        meter.CreateObservableGauge("routines.worker.slots.total", () => dispatcher.SlotsByWorker(busy: false), "{slot}",
            "Task slots a worker offers, by worker.");
        return Task.CompletedTask;
    });
}
