using System.Text.Json;
using System.Text.Json.Serialization;

namespace Routines.Cli.Connection;

/// <summary>The HTTP API's JSON: camelCase, enums as camelCase strings; fields this version does not know are ignored.</summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = indented };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Any JSON text, indented for a reader.</summary>
    public static string Pretty(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, Indented);

    public static string Pretty(JsonElement json) => JsonSerializer.Serialize(json, Indented);
}
