using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Routines.Cli.Connection;
using Routines.Rendering;
using Routines.Client;
using Spectre.Console;

namespace Routines.Cli.Commands;

/// <summary><c>logs</c>: a run's log lines; with <c>-f</c>, live until the run ends.</summary>
internal static class LogsCommand
{
    const int PageSize = 1000;

    public static Command Create()
    {
        var run = ReadVerb.RunArgument();
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until the run ends (resumes if the connection drops)." };
        var level = new Option<LogLevel>("--level") { Description = "The lowest level shown: Trace, Debug, Information, Warning, Error or Critical.", DefaultValueFactory = _ => LogLevel.Trace };
        var json = ReadVerb.JsonOption();
        var command = new Command("logs", "Print a run's log lines (its own, not its children's; 'run' follows a whole tree).") { run, follow, level, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ServerAddress.Connect(parse);
            var runId = parse.GetValue(run)!;
            var minimum = parse.GetValue(level);
            var printer = new RunTreePrinter(AnsiConsole.Console);
            Action<RunLogLine> print = parse.GetValue(json)
                ? line => Console.Out.WriteLine(JsonSerializer.Serialize(line, ApiJson.Options))
                : printer.Log;
            void Print(RunLogLine line) { if (line.Level >= minimum) print(line); }

            if (parse.GetValue(follow)) await LogStream.FollowAsync(api, runId, Print, cancellationToken);
            else await PrintAllAsync(api, runId, Print, cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    static async Task PrintAllAsync(RoutinesApi api, string runId, Action<RunLogLine> print, CancellationToken cancellationToken)
    {
        for (long after = 0; ;)
        {
            var lines = await api.GetAsync<IReadOnlyList<RunLogLine>>(ReadVerb.RunPath(runId, $"/logs?after={after}&limit={PageSize}"), cancellationToken);
            foreach (var line in lines) print(line);
            if (lines.Count < PageSize) return;
            after = lines[^1].Sequence;
        }
    }
}
