using System.CommandLine;
using System.CommandLine.Help;
using Routines.Cli.Commands;
using Routines.Cli.Connection;
using Routines.Rendering;

namespace Routines.Cli;

/// <summary>The <c>routines</c> verbs, and how their errors reach the user: one line on stderr and an exit code.</summary>
internal static class RoutinesCommandLine
{
    public static async Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand($"routines: run, follow and inspect routines on a Routines service over its HTTP API. {ExitCodes.Help}")
        {
            ServerAddress.Server, ServerAddress.Token,
            RunCommand.Create(), RunsCommand.Create(), ShowCommand.Create(), LogsCommand.Create(),
            CancelCommand.Create(), RetryCommand.Create(), WorkersCommand.Create(), RoutinesCommand.Create(),
            SchedulesCommand.Create(), CompareCommand.Create(), ArtifactsCommand.Create(), ContextCommand.Create(),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            // System.CommandLine exits 1 on a parse error; 1 means "the run failed" here, and a bad command line is bad input.
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("See 'routines --help'.");
            return ExitCodes.BadInput;
        }

        try
        {
            // Ctrl+C cancels a followed run; give the service time to record it before the process ends.
            return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(15), EnableDefaultExceptionHandler = false });
        }
        catch (CliException exception)
        {
            Console.Error.WriteLine($"error: {TerminalText.Visible(exception.Message)}"); // may quote a run's error
            return exception.ExitCode;
        }
    }
}
