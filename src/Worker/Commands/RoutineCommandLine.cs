using System.CommandLine;
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
        return root.Parse(args).InvokeAsync(new InvocationConfiguration
        {
            // Ctrl+C cancels the run tree; give it time to record the cancellation before the process ends.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(15),
        });
    }
}
