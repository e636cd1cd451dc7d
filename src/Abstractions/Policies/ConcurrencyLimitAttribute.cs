using Routines.Client;

namespace Routines;

/// <summary>
/// Declares how many runs of this routine (every version of it) may run at once across the cluster; with
/// <see cref="Key"/>, how many per value of that property of the input (one training per model name, say). A run held
/// back by a limit stays Pending, and its reason names the limit. A routine may declare both kinds.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
public sealed class ConcurrencyLimitAttribute(int max) : Attribute
{
    /// <summary>Runs at once: at least 1.</summary>
    public int Max { get; } = max;

    /// <summary>A top-level property of the input (its C# or JSON name): the limit holds per value of it.</summary>
    public string? Key { get; init; }

    internal ConcurrencyLimit ToLimit() => new(Max, Key);
}
