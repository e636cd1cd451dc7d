using System.Data.Common;
using Routines.Silo.Storage;

namespace Routines.Silo.Hosting;

/// <summary>
/// Nothing a caller receives is an exception Orleans cannot carry to it. Orleans serializes an exception with its
/// inner chain, and only types of the namespaces it is told of: a store error with an Npgsql exception inside reached
/// the caller as a <c>CodecNotFoundException</c> that said nothing of the store. Such an exception is replaced by one
/// with the same message and no foreign inner chain.
/// </summary>
internal sealed class SendableExceptions : IIncomingGrainCallFilter
{
    static readonly string[] Sendable = ["System.", "Microsoft.", "Orleans.", "Routines."];

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception exception) when (!CanBeSent(exception))
        {
            throw Replacement(exception);
        }
    }

    internal static bool CanBeSent(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            var name = exception.GetType().FullName ?? "";
            if (!Sendable.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal))) return false;
            if (exception is AggregateException aggregate && !aggregate.InnerExceptions.All(CanBeSent)) return false;
        }

        return true;
    }

    internal static Exception Replacement(Exception exception) => exception switch
    {
        RunStoreException store => new RunStoreException(store.Message),
        DbException database => new RunStoreException($"The run store failed: {database.Message}"),
        _ => new InvalidOperationException($"{exception.GetType().FullName}: {exception.Message}"),
    };
}
