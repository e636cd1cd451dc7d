using System.CommandLine;
using System.Text.Json;
using Routines.Cli.Connection;
using Spectre.Console;
using Routines.Rendering;

namespace Routines.Cli.Commands;

/// <summary><c>routines [NAME]</c>: the catalog live workers offer; with a name, each version's input fields.</summary>
internal static class RoutinesCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("name") { Description = "A routine name: show its input schema.", Arity = ArgumentArity.ZeroOrOne };
        var json = ReadVerb.JsonOption();
        var command = new Command("routines", "List the routines live workers offer; with a name, that routine's input schema.") { name, json };
        ReadVerb.SetAction(command, json, parse => parse.GetValue(name) is { } one ? $"routines/{Uri.EscapeDataString(one)}" : "routines", (parse, _, text, _) =>
        {
            var routines = JsonSerializer.Deserialize<IReadOnlyList<RoutineResource>>(text, ApiJson.Options)!;
            if (parse.GetValue(name) is null) ShowCatalog(routines);
            else foreach (var routine in routines) ShowSchema(routine);
            return Task.CompletedTask;
        });
        return command;
    }

    static void ShowCatalog(IReadOnlyList<RoutineResource> routines)
    {
        if (routines.Count == 0)
        {
            AnsiConsole.MarkupLine("No live worker offers a routine.");
            return;
        }

        var table = new Table().AddColumns("Routine", "Version", "Kind", "Workers", "Description");
        foreach (var routine in routines.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            table.AddRow(TerminalText.Markup(routine.Name), TerminalText.Markup(routine.Version), routine.Kind.ToString().ToLowerInvariant(),
                TerminalText.Markup(string.Join(", ", routine.Workers)), TerminalText.Markup(routine.Description ?? ""));
        }

        AnsiConsole.Write(table);
    }

    static void ShowSchema(RoutineResource routine)
    {
        AnsiConsole.MarkupLine($"[bold]{TerminalText.Markup(routine.Id)}[/] ({routine.Kind.ToString().ToLowerInvariant()}) {TerminalText.Markup(routine.Description ?? "")}");
        AnsiConsole.MarkupLine($"[grey]timeout {routine.Timeout}, cache {(routine.Cache ? "on" : "off")}, workers {TerminalText.Markup(string.Join(", ", routine.Workers))}[/]");
        foreach (var t in routine.Triggers ?? [])
            AnsiConsole.MarkupLine(TerminalText.Markup($"then {t.Target} when a run ends {string.Join(" or ", t.On)} (trigger {t.Name})"));
        foreach (var t in routine.TriggeredBy ?? [])
            AnsiConsole.MarkupLine(TerminalText.Markup($"after a run of {t.Source} ends {string.Join(" or ", t.On)} (trigger {t.Name})"));
        if (!routine.InputSchema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            AnsiConsole.WriteLine(ApiJson.Pretty(routine.InputSchema));
            return;
        }

        var required = routine.InputSchema.TryGetProperty("required", out var names) && names.ValueKind == JsonValueKind.Array
            ? names.EnumerateArray().Select(n => n.GetString()).ToHashSet() : [];
        var table = new Table().AddColumns("Input field", "Type", "Required");
        foreach (var field in properties.EnumerateObject())
        {
            var type = field.Value.TryGetProperty("type", out var t) ? t.ToString() : field.Value.GetRawText();
            table.AddRow(TerminalText.Markup(field.Name), TerminalText.Markup(type), required.Contains(field.Name) ? "yes" : "");
        }

        AnsiConsole.Write(table);
    }
}
