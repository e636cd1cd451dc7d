using System.Buffers;
using System.Reflection;

namespace Routines;

/// <summary>
/// Names a routine: <c>tname:{task}:{version}</c>, <c>wfname:{workflow}:{revision}</c>, or a bare name meaning the
/// newest version a live worker offers (<see cref="Version"/> and <see cref="Kind"/> are then null).
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct RoutineId(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Version = null,
    [property: Id(2)] RoutineKind? Kind = null)
{
    const string TaskPrefix = "tname";
    const string WorkflowPrefix = "wfname";

    /// <summary>True when the id names one exact version.</summary>
    public bool IsExact => Version is not null;

    /// <summary>Parses a routine id; throws <see cref="FormatException"/> with the accepted forms on bad text.</summary>
    public static RoutineId Parse(string text)
        => TryParse(text, out var id, out var error) ? id : throw new FormatException(error);

    /// <summary>Parses a routine id, returning a sentence saying what is wrong when it cannot.</summary>
    public static bool TryParse(string? text, out RoutineId id, out string error)
    {
        id = default;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "A routine id is empty. Give a routine name, 'tname:<task>:<version>' or 'wfname:<workflow>:<revision>'.";
            return false;
        }

        var parts = text.Trim().Split(':');
        if (parts.Length == 1 && IsValidName(parts[0]))
        {
            id = new RoutineId(parts[0]);
            return true;
        }

        if (parts.Length == 3 && (parts[0] == TaskPrefix || parts[0] == WorkflowPrefix)
            && IsValidName(parts[1]) && IsValidVersion(parts[2]))
        {
            id = new RoutineId(parts[1], parts[2], parts[0] == TaskPrefix ? RoutineKind.Task : RoutineKind.Workflow);
            return true;
        }

        error = $"'{text}' is not a routine id. Give a routine name (letters, digits, '_', '-', '.'), "
              + "'tname:<task>:<version>' or 'wfname:<workflow>:<revision>'.";
        return false;
    }

    /// <summary>The exact id of a routine class, from its <see cref="RoutineAttribute"/>.</summary>
    public static RoutineId Of(Type routineType)
    {
        var attribute = routineType.GetCustomAttribute<RoutineAttribute>()
            ?? throw new ArgumentException(
                $"{routineType.FullName} has no [Routine(\"name\")] attribute; add one to make it a routine.", nameof(routineType));
        return new RoutineId(attribute.Name, attribute.Version, KindOf(routineType));
    }

    internal static RoutineKind KindOf(Type routineType)
    {
        for (var type = routineType; type is not null; type = type.BaseType)
        {
            if (!type.IsGenericType) continue;
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(RoutineTask<,>)) return RoutineKind.Task;
            if (definition == typeof(RoutineWorkflow<,>)) return RoutineKind.Workflow;
        }

        throw new ArgumentException(
            $"{routineType.FullName} must derive from RoutineTask<TInput, TOutput> or RoutineWorkflow<TInput, TOutput>.",
            nameof(routineType));
    }

    /// <summary>Why a declared name and version cannot make an id, or null.</summary>
    internal static string? ProblemWith(string name, string version)
        => !IsValidName(name) ? $"the name '{name}' must be ASCII letters, digits, '_', '-' and '.', and not empty"
         : !IsValidVersion(version) ? $"the version '{version}' must be ASCII letters, digits, '.', '-', '+' and '_', and not empty"
         : null;

    const string NameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";

    static readonly SearchValues<char> NameChars = SearchValues.Create(NameCharacters);

    // Semantic versions: letters, digits, '.', '-', '+' (build metadata); '_' as names allow it.
    static readonly SearchValues<char> VersionChars = SearchValues.Create(NameCharacters + "+");

    // Spans, not LINQ over the string: ids are parsed on every submit, and enumerating a string allocates.
    static bool IsValidName(string name) => name.Length > 0 && !name.AsSpan().ContainsAnyExcept(NameChars);

    static bool IsValidVersion(string version) => version.Length > 0 && !version.AsSpan().ContainsAnyExcept(VersionChars);

    /// <summary>The canonical text form.</summary>
    public override string ToString() => Version is null
        ? Name
        : $"{(Kind == RoutineKind.Workflow ? WorkflowPrefix : TaskPrefix)}:{Name}:{Version}";

    /// <summary><c>name@version</c>, the short form used in messages.</summary>
    public string Display => Version is null ? Name : $"{Name}@{Version}";
}
