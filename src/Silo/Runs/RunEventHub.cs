using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Routines.Silo.Runs;

/// <summary>
/// The service's live feed of run updates, per run tree: what <c>run-routine</c> prints and what log tails follow.
/// Publishing with nobody listening costs one dictionary lookup.
/// </summary>
internal sealed class RunEventHub
{
    /// <summary>The key of subscribers to every tree; no run id contains '*'.</summary>
    const string AllRuns = "*";

    readonly ConcurrentDictionary<string, ImmutableSubscribers> _byRoot = new();

    /// <summary>Updates of the tree under <paramref name="rootRunId"/> from now until cancelled.</summary>
    public async IAsyncEnumerable<RunUpdate> SubscribeAsync(
        string rootRunId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<RunUpdate>(new() { SingleReader = true });
        _byRoot.AddOrUpdate(rootRunId, _ => new([channel]), (_, s) => new([.. s.Channels, channel]));
        try
        {
            await foreach (var update in channel.Reader.ReadAllAsync(cancellationToken)) yield return update;
        }
        finally
        {
            _byRoot.AddOrUpdate(rootRunId, _ => new([]), (_, s) => new(s.Channels.Where(c => c != channel).ToArray()));
        }
    }

    /// <summary>Updates of every run of this service from now until cancelled.</summary>
    public IAsyncEnumerable<RunUpdate> SubscribeAllAsync(CancellationToken cancellationToken = default)
        => SubscribeAsync(AllRuns, cancellationToken);

    internal void Publish(RunUpdate update)
    {
        Publish(update.RootRunId, update);
        Publish(AllRuns, update);
    }

    void Publish(string key, RunUpdate update)
    {
        if (!_byRoot.TryGetValue(key, out var subscribers)) return;
        foreach (var channel in subscribers.Channels) channel.Writer.TryWrite(update);
    }

    sealed record ImmutableSubscribers(Channel<RunUpdate>[] Channels);
}
