using System.CommandLine;
using Routines.Cli.Connection;

namespace Routines.Cli.Commands;

/// <summary><c>retry</c>: starts a run's routine and input again as a new run, and prints the new run's id.</summary>
internal static class RetryCommand
{
    public static Command Create()
    {
        var run = ReadVerb.RunArgument();
        var command = new Command("retry", "Run a run's routine and input again, as a new run; prints the new run's id.") { run };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ServerAddress.Connect(parse);
            var retried = await api.PostAsync<RunResource>(ReadVerb.RunPath(parse.GetValue(run)!, "/retry"), null, cancellationToken);
            Console.Out.WriteLine(retried.RunId);
            return ExitCodes.Success;
        });
        return command;
    }
}
