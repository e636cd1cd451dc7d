using System.Reflection;
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
        var later = new TaskCompletionSource();
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
        var foreign = await Assert.ThrowsAsync<InvalidOperationException>(() => CallerSafeExceptions.Guard(Task.FromException(new ServiceOnlyException("odd"))));
        Assert.Equal($"{typeof(ServiceOnlyException).FullName}: odd", foreign.Message);

        var readable = new RoutineNotFoundException("nope@1", "no worker offers nope@1");
        Assert.Same(readable, await Assert.ThrowsAsync<RoutineNotFoundException>(() => CallerSafeExceptions.Guard(Task.FromException(readable))));
        var done = Task.CompletedTask;
        Assert.Same(done, CallerSafeExceptions.Guard(done));
    }

    /// <summary>
    /// Every service grain passes its calls through the guard: by deriving <see cref="CallerSafeGrain"/>, or, for the
    /// run grain (the hot path), each call another process makes filters its exceptions itself: its state machine asks
    /// <see cref="CallerSafeExceptions.CanCross"/> and throws <see cref="CallerSafeExceptions.Readable"/>.
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
        var calls = map.TargetMethods.Where(m => external.Contains(m.Name)).ToList();
        Assert.Equal(external.Length, calls.Count);
        Assert.Empty(calls.Where(m => !Calls(m, nameof(CallerSafeExceptions.CanCross)) || !Calls(m, nameof(CallerSafeExceptions.Readable))).Select(m => m.Name));
    }

    /// <summary>Whether an async method's body calls the <see cref="CallerSafeExceptions"/> method of that name (a `call` with its token).</summary>
    static bool Calls(MethodInfo asyncMethod, string name)
    {
        var stateMachine = asyncMethod.GetCustomAttribute<AsyncStateMachineAttribute>()?.StateMachineType;
        var il = stateMachine?.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.NonPublic)?.GetMethodBody()?.GetILAsByteArray();
        if (il is null) return false;
        var token = BitConverter.GetBytes(typeof(CallerSafeExceptions).GetMethod(name, BindingFlags.Static | BindingFlags.Public)!.MetadataToken);
        const byte Call = 0x28;
        return il.AsSpan().IndexOf([Call, .. token]) >= 0;
    }

    sealed class ServiceOnlyException(string message) : Exception(message);
}
