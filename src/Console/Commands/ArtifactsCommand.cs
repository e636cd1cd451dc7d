using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Routines.Cli.Connection;
using Routines.Rendering;
using Spectre.Console;

namespace Routines.Cli.Commands;

/// <summary><c>artifacts</c>: a run's artifacts, an artifact's bytes, and an upload of a file for a run's input.</summary>
internal static class ArtifactsCommand
{
    public static Command Create() => new("artifacts", "Datasets, models and plots in the artifact store: list a run's, download one, upload a file.")
    {
        List(), Get(), Put(),
    };

    static Command List()
    {
        var run = ReadVerb.RunArgument();
        var json = ReadVerb.JsonOption();
        var command = new Command("list", "The artifacts a run took, read, produced and returned.") { run, json };
        ReadVerb.SetAction(command, json, parse => ReadVerb.RunPath(parse.GetValue(run)!, "/artifacts"), (_, _, text, _) =>
        {
            using var lines = JsonDocument.Parse(text);
            if (lines.RootElement.GetArrayLength() == 0)
            {
                Console.Out.WriteLine("This run took, read and produced no artifacts.");
                return Task.CompletedTask;
            }

            var table = new Table().AddColumns("role", "name", "type", "size", "hash");
            foreach (var line in lines.RootElement.EnumerateArray())
            {
                var artifact = line.GetProperty("artifact");
                table.AddRow(
                    TerminalText.Markup(line.GetProperty("role").GetString()!.ToLowerInvariant()),
                    TerminalText.Markup(artifact.TryGetProperty("name", out var name) ? name.GetString() ?? "" : ""),
                    TerminalText.Markup(artifact.GetProperty("mediaType").GetString()!),
                    artifact.GetProperty("size").GetInt64().ToString("N0", CultureInfo.InvariantCulture),
                    TerminalText.Markup(artifact.GetProperty("artifact").GetString()!));
            }

            AnsiConsole.Write(table);
            return Task.CompletedTask;
        });
        return command;
    }

    static Command Get()
    {
        var hash = new Argument<string>("hash") { Description = "The artifact's hash (sha256:…), as 'artifacts list' shows it." };
        var output = new Option<string?>("--output", "-o") { Description = "The file to write (default: standard output)." };
        var command = new Command("get", "Download an artifact's bytes, checked against its hash by the service as they stream.") { hash, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ServerAddress.Connect(parse);
            using var response = await api.OpenAsync($"artifacts/{Uri.EscapeDataString(parse.GetValue(hash)!)}/content", cancellationToken);
            await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
            if (parse.GetValue(output) is { } path)
            {
                var partial = path + ".partial";
                await using (var file = File.Create(partial)) await content.CopyToAsync(file, cancellationToken);
                File.Move(partial, path, overwrite: true); // a broken download leaves no file that looks whole
                Console.Error.WriteLine($"Wrote {new FileInfo(path).Length:N0} bytes to {path}.");
            }
            else
            {
                await using var stdout = Console.OpenStandardOutput();
                await content.CopyToAsync(stdout, cancellationToken);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    static Command Put()
    {
        var file = new Argument<FileInfo>("file") { Description = "The file to upload." };
        var type = new Option<string?>("--type") { Description = "Its media type (default: from its extension, such as text/csv for .csv)." };
        var command = new Command("put", "Upload a file as an artifact and print its reference, to put in a run's input "
                                        + "(an artifact no run names is removed by retention after an hour).") { file, type };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists) throw new CliException($"There is no file {path.FullName}.", ExitCodes.BadInput);
            using var api = ServerAddress.Connect(parse);
            await using var body = path.OpenRead();
            var mediaType = parse.GetValue(type) ?? MediaTypes.Of(path.Name);
            Console.Out.WriteLine(await api.PostStreamAsync($"artifacts?name={Uri.EscapeDataString(path.Name)}", body, mediaType, cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }
}
