using System.CommandLine;
using System.Text.Json;
using Routines.Cli.Connection;
using Routines.Rendering;
using Routines.Client;
using Spectre.Console;

namespace Routines.Cli.Commands;

/// <summary><c>run</c>: starts a run on the service and follows it to its result, or prints its id with <c>--detach</c>.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var routine = new Argument<string>("routine") { Description = "A routine name, tname:<task>:<version> or wfname:<workflow>:<revision>." };
        var input = new Option<string?>("--input", "-i") { Description = "The input as JSON, for example '{\"epochs\": 3}'." };
        var inputFile = new Option<FileInfo?>("--input-file", "-f") { Description = "A file holding the input JSON." };
        var set = new Option<string[]>("--set", "-s") { Description = "A field of the input, key=value (a.b=1 for nested fields); the value is JSON when it parses, else a string. Repeatable." };
        var follow = new Option<bool>("--follow") { Description = "Print the run's logs, status and progress live, then its result (the default)." };
        var detach = new Option<bool>("--detach", "-d") { Description = "Print the run id and exit 0 at once; the run goes on." };
        var timeout = new Option<double?>("--timeout") { Description = "Seconds an attempt may take, over the routine's own timeout." };
        var attempts = new Option<int?>("--attempts") { Description = "How many attempts at most, over the routine's retry policy." };
        var noCache = new Option<bool>("--no-cache") { Description = "Run tasks even when the same input ran before." };
        var priority = new Option<int?>("--priority") { Description = "Its place in line for a worker slot, -100 to 100 (higher first), over the routine's own." };
        var command = new Command("run",
            "Start a run and follow it: its log lines, status changes and progress, then the result JSON. "
          + "Ctrl+C cancels the run (as run-routine does) and exits 130 once it is cancelled; use --detach to leave a run running. " + ExitCodes.Help)
        {
            routine, input, inputFile, set, follow, detach, timeout, attempts, noCache, priority,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(follow) && parse.GetValue(detach)) throw new CliException("Give --follow or --detach, not both.", ExitCodes.BadInput);
            var body = new
            {
                routine = parse.GetValue(routine),
                input = RoutineInput.From(parse.GetValue(input), parse.GetValue(inputFile), parse.GetValue(set) ?? []),
                options = Options(parse.GetValue(timeout), parse.GetValue(attempts), parse.GetValue(noCache), parse.GetValue(priority)),
            };
            using var api = ServerAddress.Connect(parse);
            RunResource run;
            try
            {
                run = await api.PostAsync<RunResource>("runs", body, cancellationToken);
            }
            catch (CliException exception) when (exception.ExitCode == ExitCodes.NotFound)
            {
                // No worker offers the routine: bad input, as run-routine says it.
                throw new CliException(exception.Message, ExitCodes.BadInput);
            }

            if (parse.GetValue(detach))
            {
                Console.Out.WriteLine(run.RunId);
                return ExitCodes.Success;
            }

            var finished = (await FollowAsync(api, run.RunId, cancellationToken)).Run;
            // An output the engine stored as an artifact is read back whole through the result resource.
            if (finished is { Status: RunStatus.Succeeded, Output: { ValueKind: JsonValueKind.Object } output } && output.TryGetProperty("$offloaded", out _))
                finished = finished with { Output = JsonDocument.Parse(await api.GetTextAsync(ReadVerb.RunPath(finished.RunId, "/result"), cancellationToken)).RootElement };
            return Report(finished);
        });
        return command;
    }

    /// <summary>The call options the flags give, as the API's <c>options</c> (a .NET CallOptions); null when none.</summary>
    static Dictionary<string, object>? Options(double? timeout, int? attempts, bool noCache, int? priority)
    {
        var options = new Dictionary<string, object>();
        if (timeout is { } seconds) options["timeout"] = TimeSpan.FromSeconds(seconds);
        if (attempts is { } count) options["retry"] = new { maxAttempts = count };
        if (noCache) options["useCache"] = false;
        if (priority is { } level) options["priority"] = level;
        return options.Count > 0 ? options : null;
    }

    static async Task<RunTree> FollowAsync(RoutinesApi api, string runId, CancellationToken cancellationToken)
    {
        var follower = new RunFollower(api, new RunTreePrinter(AnsiConsole.Console));
        try
        {
            return await follower.FollowAsync(runId, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: the run is cancelled, as run-routine cancels its run (decision #50); --detach leaves runs running.
            Console.Error.WriteLine($"Ctrl+C: cancelling run {runId}…");
            await api.PostTextAsync($"runs/{Uri.EscapeDataString(runId)}/cancel", new { reason = "Ctrl+C in routines run" }, CancellationToken.None);
            return await follower.WaitAsync(runId, CancellationToken.None);
        }
    }

    /// <summary>The result JSON on stdout, or how the run ended on stderr; the exit code says which.</summary>
    static int Report(RunResource run)
    {
        if (run.Status == RunStatus.Succeeded)
        {
            Console.Out.WriteLine(run.Output is { } output ? ApiJson.Pretty(output) : "null");
            return ExitCodes.Success;
        }

        Console.Error.WriteLine($"error: {ErrorChain.Ended(run.View())}");
        Console.Error.WriteLine($"See 'routines show {run.RunId}' and 'routines logs {run.RunId}'.");
        return run.Status switch
        {
            RunStatus.Cancelled => ExitCodes.Cancelled,
            RunStatus.TimedOut => ExitCodes.RunTimedOut,
            _ => ExitCodes.RunFailed,
        };
    }
}
