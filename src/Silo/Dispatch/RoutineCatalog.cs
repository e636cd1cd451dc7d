using Routines.Client;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Routines.Cluster;
using Routines.Silo.Hosting;

namespace Routines.Silo.Dispatch;

/// <summary>
/// The routines live workers advertise, by name and version. Resolves bare names to the newest version and explains
/// unknown ids with the close matches on offer.
/// </summary>
internal sealed class RoutineCatalog(IOptions<RoutinesServiceOptions> options, TimeProvider clock)
{
    readonly long _startedAt = clock.GetTimestamp();
    readonly TaskCompletionSource _firstReport = new(TaskCreationOptions.RunContinuationsAsynchronously);

    readonly ConcurrentDictionary<RoutineId, RoutineDescriptor> _byId = new();
    readonly ConcurrentDictionary<RoutineId, JsonNode> _inputSchemas = new();

    /// <summary>By the id's canonical text, which is what run records carry: a run's every step looks its routine up.</summary>
    readonly ConcurrentDictionary<string, RoutineDescriptor> _byText = new(StringComparer.Ordinal);

    volatile HashSet<RoutineId> _live = [];

    /// <summary>The newest live version of each routine name: what a bare name resolves to, on every submit that gives one.</summary>
    volatile Dictionary<string, RoutineDescriptor> _newestLive = new(StringComparer.Ordinal);

    /// <summary>Records what the live workers offer; descriptors of routines no longer offered stay for existing runs.</summary>
    internal void Update(IEnumerable<RoutineDescriptor> offered)
    {
        var live = new HashSet<RoutineId>();
        foreach (var routine in offered)
        {
            if (!_byId.TryGetValue(routine.Id, out var known) || known != routine)
            {
                _byId[routine.Id] = routine;
                _byText[routine.Id.ToString()] = routine;
                _inputSchemas.TryRemove(routine.Id, out _);
            }

            live.Add(routine.Id);
        }

        _newestLive = live.Select(id => _byId[id]).GroupBy(r => r.Id.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(r => r.Id.Version!, VersionComparer.Instance)!, StringComparer.Ordinal);
        _live = live;
        if (live.Count > 0) _firstReport.TrySetResult();
    }

    /// <summary>
    /// A service that has just started knows no routine until a worker reports: a submit then waits for the first
    /// report, for at most the recovery delay from the start (the time surviving workers are given to report), rather
    /// than fail with a "not found" that only says the service is young.
    /// </summary>
    internal async Task WaitForFirstReportAsync()
    {
        if (_firstReport.Task.IsCompleted) return; // every submit but the first few after a start
        var left = options.Value.RecoveryDelay - clock.GetElapsedTime(_startedAt);
        if (left <= TimeSpan.Zero) return;
        await _firstReport.Task.WaitAsync(left, clock)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
    }


    /// <summary>The routine an exact id names, or null (bare names and unknown ids need <see cref="Resolve"/>).</summary>
    public RoutineDescriptor? TryGet(string routineId)
        => _byText.TryGetValue(routineId, out var known) ? known
         : RoutineId.TryParse(routineId, out var id, out _) && id.IsExact && _byId.TryGetValue(id, out var routine) ? routine : null;

    /// <summary>The parsed input schema, parsed once per routine.</summary>
    internal JsonNode InputSchemaOf(RoutineDescriptor routine)
        => _inputSchemas.GetOrAdd(routine.Id, _ => JsonNode.Parse(routine.InputSchema)!);

    /// <summary>Every routine a live worker offers, by name then newest version first.</summary>
    public IReadOnlyList<RoutineDescriptor> Live => _byId.Values.Where(r => _live.Contains(r.Id))
        .OrderBy(r => r.Id.Name, StringComparer.Ordinal)
        .ThenByDescending(r => r.Id.Version!, VersionComparer.Instance)
        .ToList();

    /// <summary>The exact routine a live worker offers for a routine id; throws <see cref="RoutineNotFoundException"/> or <see cref="FormatException"/>.</summary>
    public RoutineDescriptor Resolve(string routineId)
    {
        // A workflow's calls name their routine by the same text each time: found by it without parsing it (a name
        // found among the live routines' names, or an exact id's text, is well formed).
        var (live, newestLive) = (_live, _newestLive);
        if (newestLive.TryGetValue(routineId, out var byName)) return byName;
        if (_byText.TryGetValue(routineId, out var byText) && live.Contains(byText.Id)) return byText;

        var id = RoutineId.Parse(routineId);

        if (id.IsExact && live.Contains(id) && _byId.TryGetValue(id, out var exact)) return exact;
        if (!id.IsExact && newestLive.TryGetValue(id.Name, out var newest)) return newest;

        var sameName = _byId.Values.Where(r => r.Id.Name == id.Name && _live.Contains(r.Id)).ToList();
        throw new RoutineNotFoundException(routineId, NotFoundMessage(id, sameName));
    }

    string NotFoundMessage(RoutineId id, List<RoutineDescriptor> sameName)
    {
        if (sameName.Count > 0)
        {
            var offered = string.Join(", ", sameName.Select(r => r.Id.ToString()));
            return $"No live worker offers {id.Display} {(id.Kind is { } k ? $"as a {k.ToString().ToLowerInvariant()} " : "")}"
                 + $"(workers offer {offered}). Start a worker built from the project that defines it, or submit one of those.";
        }

        var names = _live.Select(k => k.Name).Distinct().ToList();
        var close = names
            .Select(n => (Name: n, Distance: Distance(n, id.Name)))
            .Where(x => x.Distance <= Math.Max(2, id.Name.Length / 3) || x.Name.Contains(id.Name, StringComparison.OrdinalIgnoreCase))
            .OrderBy(x => x.Distance).Take(5).Select(x => x.Name).ToList();
        var hint = close.Count > 0
            ? $"Did you mean {string.Join(", ", close)}?"
            : names.Count > 0 ? $"Known routines: {string.Join(", ", names.Order().Take(20))}." : "No worker advertises any routine yet.";
        return $"No live worker offers a routine named '{id.Name}'. {hint}";
    }

    /// <summary>Levenshtein distance, for "did you mean".</summary>
    static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
