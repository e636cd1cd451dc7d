namespace Routines.Silo.Storage;

/// <summary>The run store cannot be opened or written: says which store, what failed, and what to do.</summary>
[GenerateSerializer]
internal sealed class RunStoreException(string message, Exception? inner = null) : RoutinesException(message, inner)
{
    /// <summary>The store failure behind a host that would not start, however the host wrapped it.</summary>
    internal static RunStoreException? FindIn(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is RunStoreException match) return match;
            if (exception is AggregateException aggregate) return aggregate.InnerExceptions.Select(FindIn).FirstOrDefault(e => e is not null);
        }

        return null;
    }
}
