using System.Text;
using System.Text.Json;

namespace Routines;

/// <summary>
/// A run's output larger than <c>Routines:Artifacts:OffloadOutputBytes</c> is stored as an artifact by the engine, and
/// the run record keeps <c>{"$offloaded":{artifact reference}}</c> in its place: the run store stays small, and whoever
/// wants the output (a parent workflow, a client, the API's result) reads it back from the artifact.
/// </summary>
internal static class OffloadedOutput
{
    const string Member = "$offloaded";
    const string Prefix = "{\"" + Member + "\":";

    /// <summary>The record's stand-in for an output stored as <paramref name="artifact"/>.</summary>
    public static string Marker(Artifact artifact) => Prefix + JsonSerializer.Serialize(artifact) + "}";

    /// <summary>The artifact holding the output, when <paramref name="outputJson"/> is such a stand-in; else null.</summary>
    public static Artifact? Of(string? outputJson)
    {
        if (outputJson is null || !outputJson.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        using var document = JsonDocument.Parse(outputJson);
        return document.RootElement.GetProperty(Member).Deserialize<Artifact>();
    }

    /// <summary>The output JSON itself: read from its artifact when it was offloaded.</summary>
    public static ValueTask<string?> ResolveAsync(string? outputJson, Func<Artifact, Task<Stream>> open)
        => Of(outputJson) is { } artifact ? ReadAsync(artifact, open) : ValueTask.FromResult(outputJson);

    static async ValueTask<string?> ReadAsync(Artifact artifact, Func<Artifact, Task<Stream>> open)
    {
        await using var stream = await open(artifact);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
