using System.CommandLine;
using System.CommandLine.Help;
using Routines.Hosting;

namespace Routines.Worker.Commands;

/// <summary>The verbs of a routines project.</summary>
internal static class RoutineCommandLine
{
    public static Task<int> InvokeAsync(string[] args, ProjectSetup project)
    {
        var root = new RootCommand($"{project.Project.GetName().Name}: routines run locally or as a worker of a Routines cluster. {ExitCodes.Help}")
        {
            RunRoutineCommand.Create(project),
            ListCommand.Create(project),
            InfoCommand.Create(project),
            WorkerCommand.Create(project),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            // System.CommandLine exits 1 on a parse error; 1 means "the run failed" here, and a bad command line is bad input.
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine($"See '{string.Join(' ', CommandPath(parse.CommandResult))} --help'.");
            return Task.FromResult(ExitCodes.BadInput);
        }

        // A routine declared wrongly is reported before a verb starts anything, as one line (a stack trace from deep
        // inside the host's start said less). Help is shown whatever the routines say.
        if (parse.Action is not HelpAction && parse.CommandResult.Command != root)
        {
            try
            {
                ProjectRoutines.Load(project);
            }
            catch (RoutineDefinitionException exception)
            {
                Console.Error.WriteLine($"error: {exception.Message}");
                return Task.FromResult(ExitCodes.BadInput);
            }
        }

        return parse.InvokeAsync(new InvocationConfiguration
        {
            // Ctrl+C cancels the run tree; give it time to record the cancellation before the process ends.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(15),
        });
    }

    static IEnumerable<string> CommandPath(System.CommandLine.Parsing.SymbolResult? result)
    {
        var names = new Stack<string>();
        for (; result is not null; result = result.Parent)
            if (result is System.CommandLine.Parsing.CommandResult command) names.Push(command.Command.Name);
        return names;
    }
}
