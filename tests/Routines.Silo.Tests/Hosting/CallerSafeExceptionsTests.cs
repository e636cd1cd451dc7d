using System.Runtime.CompilerServices;
using Npgsql;
using Routines.Cluster;
using Routines.Silo.Hosting;
using Routines.Silo.Runs;

namespace Routines.Silo.Tests.Hosting;

/// <summary>
/// What leaves a service grain is an exception every caller can read. The end-to-end cases (a submit while the
/// database is stopped) are in FailoverTests; these hold the pieces: the guard, and that every grain uses it.
/// </summary>
public sealed class CallerSafeExceptionsTests
{
    [Fact]
    public async Task AStoreFailure_BecomesRoutinesUnavailable_WhetherItEndedTheCallAtOnceOrLater()
    {
        var later = new TaskCompletionSource<int>();
        var guarded = CallerSafeExceptions.Guard(later.Task);
        later.SetException(new NpgsqlException("connection refused"));

        var atOnce = await Assert.ThrowsAsync<RoutinesUnavailableException>(() => CallerSafeExceptions.Guard(Task.FromException(new NpgsqlException("no route"))));
        var afterwards = await Assert.ThrowsAsync<RoutinesUnavailableException>(() => guarded);

        Assert.Contains("no route", atOnce.Message);
        Assert.Contains("connection refused", afterwards.Message);
    }

    [Fact]
    public async Task AnExceptionOfAServiceOnlyType_BecomesOneNamingIt_AndReadableOnesPassUnchanged()
    {
        var foreign = await Assert.ThrowsAsync<InvalidOperationException>(() => CallerSafeExceptions.Guard(Task.FromException<int>(new ServiceOnlyException("odd"))));
        Assert.Equal($"{typeof(ServiceOnlyException).FullName}: odd", foreign.Message);

        var readable = new RoutineNotFoundException("nope@1", "no worker offers nope@1");
        Assert.Same(readable, await Assert.ThrowsAsync<RoutineNotFoundException>(() => CallerSafeExceptions.Guard(Task.FromException(readable))));
        Assert.Equal(42, await CallerSafeExceptions.Guard(Task.FromResult(42)));
    }

    /// <summary>
    /// Every service grain passes its calls through the guard: by deriving <see cref="CallerSafeGrain"/>, or, for the
    /// run grain (the hot path), each call another process makes is a guard over its work rather than an async method.
    /// </summary>
    [Fact]
    public void EveryServiceGrain_GuardsTheCallsOtherProcessesMake()
    {
        var grains = typeof(RunGrain).Assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract && typeof(Grain).IsAssignableFrom(t)).ToList();
        Assert.Contains(typeof(RunQueryGrain), grains);
        Assert.Empty(grains.Where(g => g != typeof(RunGrain) && !typeof(CallerSafeGrain).IsAssignableFrom(g)).Select(g => g.Name));

        // What the .NET client, the console and workers call on a run (WorkflowRunContext, TelemetryBuffer, RoutinesClient).
        string[] external = [nameof(IRunGrain.SubmitAsync), nameof(IRunGrain.ExecuteAsync), nameof(IRunGrain.GetAsync),
            nameof(IRunGrain.WaitAsync), nameof(IRunGrain.CancelAsync), nameof(IRunGrain.ReportAsync)];
        var map = typeof(RunGrain).GetInterfaceMap(typeof(IRunGrain));
        var unguarded = map.TargetMethods.Where(m => external.Contains(m.Name) && m.GetCustomAttributes(typeof(AsyncStateMachineAttribute), false).Length > 0);
        Assert.Equal(external.Length, map.TargetMethods.Count(m => external.Contains(m.Name)));
        Assert.Empty(unguarded.Select(m => m.Name));
    }

    sealed class ServiceOnlyException(string message) : Exception(message);
}
