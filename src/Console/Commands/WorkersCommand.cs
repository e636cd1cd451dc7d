using System.CommandLine;
using System.Text.Json;
using Routines.Cli.Connection;
using Routines.Client;
using Spectre.Console;
using Routines.Rendering;

namespace Routines.Cli.Commands;

/// <summary><c>workers</c>: the live workers, their slots and routines.</summary>
internal static class WorkersCommand
{
    public static Command Create()
    {
        var json = ReadVerb.JsonOption();
        var command = new Command("workers", "List the live workers: slots, busy slots, workflows, routines.") { json };
        ReadVerb.SetAction(command, json, _ => "workers", (_, _, text, _) =>
        {
            var workers = JsonSerializer.Deserialize<IReadOnlyList<WorkerInfo>>(text, ApiJson.Options)!;
            if (workers.Count == 0)
            {
                AnsiConsole.MarkupLine("No live workers.");
                return Task.CompletedTask;
            }

            var table = new Table().AddColumns("Worker", "Status", "Busy", "Workflows", "Routines", "Abandoned");
            foreach (var worker in workers)
            {
                table.AddRow(TerminalText.Markup(worker.Name), worker.Status.ToString(), $"{worker.BusySlots}/{worker.Slots}", worker.RunningWorkflows.ToString(),
                    TerminalText.Markup(string.Join(", ", worker.Routines)), (worker.Abandoned?.Count ?? 0).ToString());
            }

            AnsiConsole.Write(table);
            return Task.CompletedTask;
        });
        return command;
    }
}
