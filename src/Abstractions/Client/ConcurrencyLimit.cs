using System.Text.Json;

namespace Routines.Client;

/// <summary>At most <paramref name="Max"/> runs of a routine at once, in all or per value of the input's <paramref name="Key"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record ConcurrencyLimit([property: Id(0)] int Max, [property: Id(1)] string? Key = null)
{
    /// <summary>Why this limit cannot be declared on a routine whose input type has these properties, or null.</summary>
    internal string? Problem(string inputType, IReadOnlyCollection<string> inputProperties)
    {
        if (Max < 1) return $"[ConcurrencyLimit] must allow at least 1 run at once; it was {Max}.";
        if (Key is null || inputProperties.Contains(Key, StringComparer.OrdinalIgnoreCase)) return null;
        return inputProperties.Count == 0
            ? $"[ConcurrencyLimit] Key \"{Key}\" names no property: the input, {inputType}, has none."
            : $"[ConcurrencyLimit] Key \"{Key}\" names no property of the input, {inputType} (it has {string.Join(", ", inputProperties)}).";
    }

    /// <summary>The counts a run of <paramref name="routine"/> with <paramref name="inputJson"/> is held to while it runs.</summary>
    internal static IReadOnlyList<LimitSlot> SlotsOf(RoutineDescriptor routine, string inputJson)
        => routine.Limits.Count == 0 ? [] : [.. routine.Limits.Select(l => l.SlotFor(routine.Id.Name, inputJson))];

    /// <summary>
    /// What this limit counts a run of <paramref name="routineName"/> with <paramref name="inputJson"/> against: the
    /// routine, or the routine and the key's value (its JSON text; a missing key counts as <c>null</c>).
    /// </summary>
    LimitSlot SlotFor(string routineName, string inputJson)
    {
        var most = $"at most {Max} run{(Max == 1 ? "" : "s")} of {routineName} at once";
        if (Key is null) return new LimitSlot(routineName, Max, most);
        var value = "null";
        using (var document = JsonDocument.Parse(inputJson))
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in root.EnumerateObject())
                {
                    if (!property.Name.Equals(Key, StringComparison.OrdinalIgnoreCase)) continue;
                    value = property.Value.GetRawText();
                    break;
                }
            }
        }

        // The reason stays readable; the key keeps the value whole.
        var shown = value.Length > 80 ? value[..77] + "…" : value;
        return new LimitSlot($"{routineName}\u001f{Key.ToLowerInvariant()}\u001f{value}", Max, $"{most} per {Key} ({Key} = {shown})");
    }
}

/// <summary>One count a run is held to while it runs: its key, the most runs at once, and the limit in words.</summary>
[GenerateSerializer, Immutable]
internal sealed record LimitSlot([property: Id(0)] string Key, [property: Id(1)] int Max, [property: Id(2)] string Description);
