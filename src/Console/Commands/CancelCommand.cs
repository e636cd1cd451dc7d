using System.CommandLine;
using Routines.Cli.Connection;

namespace Routines.Cli.Commands;

/// <summary><c>cancel</c>: cancels a run and its unfinished children.</summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var run = ReadVerb.RunArgument();
        var reason = new Option<string?>("--reason") { Description = "Why; kept in the run's history." };
        var command = new Command("cancel", "Cancel a run and its unfinished children.") { run, reason };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ServerAddress.Connect(parse);
            var runId = parse.GetValue(run)!;
            await api.PostTextAsync(ReadVerb.RunPath(runId, "/cancel"), new { reason = parse.GetValue(reason) ?? "cancelled with routines cancel" }, cancellationToken);
            Console.Out.WriteLine($"Cancelling run {runId}.");
            return ExitCodes.Success;
        });
        return command;
    }
}
