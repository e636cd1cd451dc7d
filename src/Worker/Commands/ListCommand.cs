using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Routines.Hosting;
using Spectre.Console;
using Routines.Rendering;

namespace Routines.Worker.Commands;

/// <summary><c>list</c>: the routines of this project with their input and output JSON schemas.</summary>
internal static class ListCommand
{
    public static Command Create(ProjectSetup project)
    {
        var json = new Option<bool>("--json") { Description = "Print the routines as a JSON array." };
        var command = new Command("list", "List the routines of this project: kind, name, version, input and output JSON schema.") { json };
        command.SetAction(parse =>
        {
            var routines = ProjectRoutines.Load(project).Descriptors;
            if (parse.GetValue(json))
            {
                var array = new JsonArray(routines.Select(r => (JsonNode)new JsonObject
                {
                    ["id"] = r.Id.ToString(),
                    ["kind"] = r.Kind.ToString().ToLowerInvariant(),
                    ["name"] = r.Id.Name,
                    ["version"] = r.Id.Version,
                    ["description"] = r.Description,
                    ["inputSchema"] = JsonNode.Parse(r.InputSchema),
                    ["outputSchema"] = JsonNode.Parse(r.OutputSchema),
                }).ToArray());
                Console.Out.WriteLine(array.ToJsonString(ProjectRoutines.Output));
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Kind", "Name", "Version", "Input", "Output");
            foreach (var r in routines)
            {
                table.AddRow(r.Kind.ToString().ToLowerInvariant(), TerminalText.Markup(r.Id.Name), TerminalText.Markup(r.Id.Version!),
                    TerminalText.Markup(SchemaSummary.Of(r.InputSchema)), TerminalText.Markup(SchemaSummary.Of(r.OutputSchema)));
            }

            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine("[grey]'?' marks a field that may be left out. list --json prints the full JSON schemas.[/]");
            return ExitCodes.Success;
        });
        return command;
    }
}
