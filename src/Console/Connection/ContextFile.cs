using System.Text.Json;
using System.Text.Json.Serialization;
using Routines.Cli.Commands;

namespace Routines.Cli.Connection;

/// <summary>
/// Named servers and tokens in <c>$ROUTINES_CONFIG</c> or <c>~/.config/routines/config.json</c>:
/// <c>{"current": "prod", "contexts": {"prod": {"server": "…", "token": "…"}}}</c>.
/// </summary>
internal sealed record ContextFile(string? Current, Dictionary<string, ServerContext> Contexts)
{
    public static string Path => Environment.GetEnvironmentVariable("ROUTINES_CONFIG") is { Length: > 0 } path
        ? path
        : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "routines", "config.json");

    [JsonIgnore]
    public ServerContext? CurrentContext => Current is { } name && Contexts.TryGetValue(name, out var context) ? context : null;

    public static ContextFile Load()
    {
        if (!File.Exists(Path)) return new ContextFile(null, []);
        try
        {
            var file = JsonSerializer.Deserialize<ContextFile>(File.ReadAllText(Path), ApiJson.Options);
            return file is null ? new ContextFile(null, []) : file with { Contexts = file.Contexts ?? [] };
        }
        catch (JsonException exception)
        {
            throw new CliException($"The config file {Path} is not valid JSON ({exception.Message}). Fix or delete it.", ExitCodes.BadInput);
        }
    }

    public void Save()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        File.WriteAllText(Path, JsonSerializer.Serialize(this, ApiJson.Indented));
        // The file holds tokens: readable by its owner only.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
