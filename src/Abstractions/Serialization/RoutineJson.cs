using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Routines.Serialization;

/// <summary>
/// The one JSON dialect of inputs and outputs: camelCase names, strict about missing, unknown and null-for-non-null
/// members, so a typo in an input is an error instead of a silently defaulted field.
/// </summary>
public static class RoutineJson
{
    /// <summary>Builds the options, with <paramref name="converters"/> (user-registered) added first.</summary>
    public static JsonSerializerOptions CreateOptions(IEnumerable<JsonConverter>? converters = null)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            NumberHandling = JsonNumberHandling.Strict,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        foreach (var converter in converters ?? []) options.Converters.Add(converter);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly();
        return options;
    }

    /// <summary>The options used when no converters are registered.</summary>
    public static JsonSerializerOptions Default { get; } = CreateOptions();
}
