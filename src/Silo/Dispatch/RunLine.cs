namespace Routines.Silo.Dispatch;

/// <summary>
/// The runs waiting for the slots of one routine (or one routine on one worker), in priority order: the highest first,
/// and among equals the earliest. A run gains one level for every <c>aging</c> it has waited, so a steady stream of
/// urgent runs delays the others but never starves them. Levels are few, so picking the next run costs a look at each
/// level's head; their order does not matter, as a run's standing (with its sequence) is never equal to another's.
/// </summary>
internal sealed class RunLine(TimeSpan aging)
{
    readonly Dictionary<int, PriorityQueue<QueuedRun, long>> _levels = [];

    public int Count { get; private set; }

    /// <summary>The waiting runs, in no particular order.</summary>
    public IEnumerable<QueuedRun> Runs => _levels.Values.SelectMany(level => level.UnorderedItems.Select(item => item.Element));

    /// <summary>Adds a run; one that waited before (a parked one) keeps its place by its sequence number.</summary>
    public void Enqueue(QueuedRun run)
    {
        if (!_levels.TryGetValue(run.Priority, out var level)) _levels[run.Priority] = level = new PriorityQueue<QueuedRun, long>();
        level.Enqueue(run, run.Sequence);
        Count++;
    }

    /// <summary>How many runs wait at <paramref name="priority"/> or above (the runs a new one at that priority is behind).</summary>
    public int AtOrAbove(int priority)
    {
        var ahead = 0;
        foreach (var (level, runs) in _levels)
        {
            if (level >= priority) ahead += runs.Count;
        }

        return ahead;
    }

    /// <summary>
    /// The run that goes next at <paramref name="now"/>, and its standing (priority with aging, then sequence) to compare
    /// with other lines'; runs <paramref name="dropped"/> says are gone (cancelled while waiting) are removed on the way.
    /// </summary>
    public (QueuedRun Run, Standing Standing)? Peek(DateTimeOffset now, Func<QueuedRun, bool> dropped)
    {
        (QueuedRun Run, Standing Standing)? best = null;
        foreach (var (priority, level) in _levels)
        {
            while (level.TryPeek(out var gone, out _) && dropped(gone))
            {
                level.Dequeue();
                Count--;
            }

            if (!level.TryPeek(out var head, out _)) continue;
            var standing = new Standing(priority + Aged(now - head.Since), head.Sequence);
            if (best is null || standing.CompareTo(best.Value.Standing) > 0) best = (head, standing);
        }

        return best;
    }

    /// <summary>Removes the run <see cref="Peek"/> returned.</summary>
    public void Dequeue(QueuedRun run)
    {
        var level = _levels[run.Priority];
        level.Dequeue();
        Count--;
        if (level.Count == 0) _levels.Remove(run.Priority);
    }

    int Aged(TimeSpan waited) => aging <= TimeSpan.Zero || waited <= TimeSpan.Zero ? 0 : (int)Math.Min(1000, waited / aging);

    /// <summary>A run's place against another's: the higher priority (aged) first, then the earlier sequence.</summary>
    public readonly record struct Standing(int Priority, long Sequence) : IComparable<Standing>
    {
        public int CompareTo(Standing other)
            => Priority != other.Priority ? Priority.CompareTo(other.Priority) : other.Sequence.CompareTo(Sequence);
    }
}

/// <summary>A run waiting for a slot: its priority, when it began to wait, and the concurrency limits it is held to.</summary>
internal sealed record QueuedRun(string RunId, long Sequence, RoutineKind Kind, int Priority, DateTimeOffset Since,
    IReadOnlyList<Routines.Client.LimitSlot> Limits);
