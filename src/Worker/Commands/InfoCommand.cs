using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using Routines.Hosting;
using Spectre.Console;
using Routines.Rendering;

namespace Routines.Worker.Commands;

/// <summary><c>info</c>: project name, assembly version and routine counts.</summary>
internal static class InfoCommand
{
    public static Command Create(ProjectSetup project)
    {
        var json = new Option<bool>("--json") { Description = "Print the information as JSON." };
        var command = new Command("info", "Show the project name, assembly version and how many tasks and workflows it defines.") { json };
        command.SetAction(parse =>
        {
            var routines = ProjectRoutines.Load(project).Descriptors;
            var name = project.Project.GetName();
            var info = new
            {
                Project = name.Name,
                Version = project.Project.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? name.Version?.ToString(),
                Tasks = routines.Count(r => r.Kind == RoutineKind.Task),
                Workflows = routines.Count(r => r.Kind == RoutineKind.Workflow),
                Routines = routines.Count,
            };
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(info, ProjectRoutines.Output));
                return ExitCodes.Success;
            }

            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("Project", TerminalText.Markup(info.Project ?? "?"));
            grid.AddRow("Version", TerminalText.Markup(info.Version ?? "?"));
            grid.AddRow("Tasks", info.Tasks.ToString());
            grid.AddRow("Workflows", info.Workflows.ToString());
            AnsiConsole.Write(grid);
            return ExitCodes.Success;
        });
        return command;
    }
}
