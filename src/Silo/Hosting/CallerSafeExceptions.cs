using System.Data.Common;
using Routines.Silo.Storage;

namespace Routines.Silo.Hosting;

/// <summary>
/// Lets only exceptions every caller can read leave the service's grains: Routines' own public ones, .NET's and
/// Orleans'. A store failure becomes <see cref="RoutinesUnavailableException"/>, anything else an
/// <see cref="InvalidOperationException"/> with the original type and message. Without it Orleans answers a call that
/// met Npgsql's exception with CodecNotFoundException, and a client cannot read <see cref="RunStoreException"/>,
/// whose type lives in the service.
/// </summary>
/// <remarks>
/// Applied per grain (<see cref="CallerSafeGrain"/>, and a filter in each call of <c>RunGrain</c>), not as a silo-wide incoming
/// call filter: any such filter puts every call of every grain through Orleans' filter chain, three more turns on the
/// grain's scheduler, which cost the service about a tenth of its CPU per run (bench/README.md).
/// </remarks>
internal static class CallerSafeExceptions
{
    public static Task Guard(Task call) => call.IsCompletedSuccessfully ? call : GuardAsync(call);

    // On the grain's scheduler, where the call ends: its continuation runs inline there. Off it (ConfigureAwait(false))
    // would queue each one to the thread pool, a thread pool hop per call.
    static async Task GuardAsync(Task call)
    {
        try
        {
            await call;
        }
        catch (Exception exception) when (!CanCross(exception))
        {
            throw Readable(exception);
        }
    }

    /// <summary>What the caller is told instead of an exception that cannot cross (<see cref="CanCross"/>).</summary>
    public static Exception Readable(Exception exception)
    {
        if (Chain(exception).FirstOrDefault(e => e is RunStoreException or DbException) is { } store)
            return new RoutinesUnavailableException($"The run store is unavailable: {store.Message} Try the call again when the database is back.");
        return new InvalidOperationException($"{exception.GetType().FullName}: {exception.Message}");
    }

    /// <summary>Every exception in the chain is of a type the caller has and Orleans serializes.</summary>
    public static bool CanCross(Exception exception) => Chain(exception).All(e => e is not DbException
        && (e.GetType().Assembly == typeof(RoutinesException).Assembly
            || e.GetType().Namespace?.StartsWith("System", StringComparison.Ordinal) == true
            || e.GetType().Namespace?.StartsWith("Orleans", StringComparison.Ordinal) == true));

    static IEnumerable<Exception> Chain(Exception exception)
    {
        yield return exception;
        IEnumerable<Exception> inner = exception is AggregateException aggregate ? aggregate.InnerExceptions
            : exception.InnerException is { } one ? [one] : [];
        foreach (var e in inner.SelectMany(Chain)) yield return e;
    }
}

/// <summary>A service grain whose every call passes its exception through <see cref="CallerSafeExceptions"/>.</summary>
internal abstract class CallerSafeGrain : Grain, IIncomingGrainCallFilter
{
    Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context) => CallerSafeExceptions.Guard(context.Invoke());
}
