using System.CommandLine;
using Routines.Cli.Connection;

namespace Routines.Cli.Commands;

/// <summary>What every read verb shares: <c>--json</c>, which prints the service's JSON as it came, for scripts.</summary>
internal static class ReadVerb
{
    public static Option<bool> JsonOption() => new("--json") { Description = "Print the service's JSON instead of a table (for scripts)." };

    public static Argument<string> RunArgument() => new("run") { Description = "A run id." };

    /// <summary>Runs <paramref name="show"/> with the connection, unless <c>--json</c> asks for <paramref name="path"/>'s raw JSON.</summary>
    public static void SetAction(Command command, Option<bool> json, Func<ParseResult, string> path,
        Func<ParseResult, RoutinesApi, string, CancellationToken, Task> show)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ServerAddress.Connect(parse);
            var text = await api.GetTextAsync(path(parse), cancellationToken);
            if (parse.GetValue(json)) Console.Out.WriteLine(text);
            else await show(parse, api, text, cancellationToken);
            return ExitCodes.Success;
        });
    }

    public static string RunPath(string runId, string rest = "") => $"runs/{Uri.EscapeDataString(runId)}{rest}";
}
