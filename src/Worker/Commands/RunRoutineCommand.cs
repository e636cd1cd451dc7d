using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Routines.Client;
using Routines.Hosting;
using Routines.Rendering;
using Routines.Silo.Runs;
using Routines.Silo.Storage;
using Routines.Worker.Execution;
using Spectre.Console;

namespace Routines.Worker.Commands;

/// <summary>
/// <c>run-routine</c>: runs a routine and all its sub-routines in this process, through the same run lifecycle as a
/// cluster, printing the tree's progress and logs live and the result JSON at the end.
/// </summary>
internal static class RunRoutineCommand
{
    public static Command Create(ProjectSetup project)
    {
        var routine = new Argument<string>("routine") { Description = "A routine name, tname:<task>:<version> or wfname:<workflow>:<revision>." };
        var input = new Option<string?>("--input", "-i") { Description = "The input as JSON, for example '{\"epochs\": 3}'." };
        var inputFile = new Option<FileInfo?>("--input-file", "-f") { Description = "A file holding the input JSON." };
        var set = new Option<string[]>("--set", "-s") { Description = "A field of a flat input, key=value; repeatable.", AllowMultipleArgumentsPerToken = false };
        var json = new Option<bool>("--json") { Description = "Print only the result JSON (for scripts)." };
        var noCache = new Option<bool>("--no-cache") { Description = "Run tasks even when the same input ran before." };
        var store = new Option<string?>("--store") { Description = "The SQLite file of run records (default: .routines/routines.db under the project directory)." };
        var slots = new Option<int?>("--slots") { Description = "How many tasks may run at once (default: the number of cores)." };
        var verbose = new Option<bool>("--verbose") { Description = "Show the silo's own log (Orleans) on stderr." };

        var command = new Command("run-routine", $"Run a routine with all its sub-routines in this process. {ExitCodes.Help}")
        {
            routine, input, inputFile, set, json, noCache, store, slots, verbose,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(project, new Request(
            parse.GetValue(routine)!, parse.GetValue(input), parse.GetValue(inputFile), parse.GetValue(set) ?? [],
            parse.GetValue(json), parse.GetValue(noCache), parse.GetValue(store), parse.GetValue(slots), parse.GetValue(verbose)), cancellationToken));
        return command;
    }

    sealed record Request(string Routine, string? Input, FileInfo? InputFile, string[] Sets, bool Json, bool NoCache, string? Store, int? Slots, bool Verbose);

    static async Task<int> RunAsync(ProjectSetup project, Request request, CancellationToken cancellationToken)
    {
        var errors = Console.Error;
        var (inputJson, inputError) = RoutineInput.From(request.Input, request.InputFile, request.Sets);
        if (inputError is not null) return Fail(errors, inputError, ExitCodes.BadInput);
        if (request.Slots is < 1) return Fail(errors, $"--slots must be at least 1 (got {request.Slots}).", ExitCodes.BadInput);

        using var host = EmbeddedHost.Build(project, request.Store, request.Slots, request.Verbose ? LogLevel.Information : LogLevel.Error);
        try
        {
            await host.StartAsync(CancellationToken.None);
        }
        catch (Exception exception) when (RunStoreException.FindIn(exception) is { } storeError)
        {
            return Fail(errors, storeError.Message, ExitCodes.StoreUnavailable);
        }

        try
        {
            return await RunOnHostAsync(host.Services, request, inputJson!, cancellationToken);
        }
        finally
        {
            // The run has ended: code still running (a routine that ignores its token) must not hold the exit.
            host.Services.GetRequiredService<Executions>().AbandonAll();
            await host.StopAsync(CancellationToken.None);
        }
    }

    static async Task<int> RunOnHostAsync(IServiceProvider services, Request request, string inputJson, CancellationToken cancellationToken)
    {
        var client = services.GetRequiredService<IRoutinesClient>();
        var console = AnsiConsole.Console;
        var printer = new RunTreePrinter(console);

        using var live = new CancellationTokenSource();
        var feed = request.Json ? Task.CompletedTask : Task.Run(async () =>
        {
            try
            {
                await foreach (var update in services.GetRequiredService<RunEventHub>().SubscribeAllAsync(live.Token))
                {
                    if (update.Log is { } line) printer.Log(line);
                    else if (update.Run is { } changed) printer.Run(RunView.From(changed));
                }
            }
            catch (OperationCanceledException) { }
        });

        RunHandle handle;
        try
        {
            handle = await client.SubmitAsync(request.Routine, inputJson, request.NoCache ? new CallOptions { UseCache = false } : null, cancellationToken);
        }
        catch (Exception exception) when (exception is RoutineNotFoundException or InvalidRoutineInputException or FormatException)
        {
            await live.CancelAsync();
            return Fail(Console.Error, exception.Message, ExitCodes.BadInput);
        }

        RunInfo run;
        try
        {
            run = await handle.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await handle.CancelAsync("Ctrl+C in run-routine");
            run = await handle.WaitAsync(CancellationToken.None);
        }

        await DrainFeedAsync(live, feed);
        if (run.Status == RunStatus.Succeeded)
            run = run with { OutputJson = await OffloadedOutput.ResolveAsync(run.OutputJson, a => client.OpenArtifactAsync(a.Hash, CancellationToken.None)) };
        return Report(run, request.Json);
    }

    /// <summary>Gives the live feed a moment to print the last updates, then stops it.</summary>
    static async Task DrainFeedAsync(CancellationTokenSource live, Task feed)
    {
        live.CancelAfter(TimeSpan.FromMilliseconds(100));
        await feed;
    }

    static int Report(RunInfo run, bool jsonOnly)
    {
        if (run.Status == RunStatus.Succeeded)
        {
            var output = JsonNode.Parse(run.OutputJson ?? "null");
            Console.Out.WriteLine(output?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null");
            return ExitCodes.Success;
        }

        var message = Describe(run) + $"{Environment.NewLine}The run record, its logs and stack traces are in the store.";
        return Fail(Console.Error, message, run.Status switch
        {
            RunStatus.Cancelled => ExitCodes.Cancelled,
            RunStatus.TimedOut => ExitCodes.RunTimedOut,
            _ => ExitCodes.RunFailed,
        });
    }

    /// <summary>How a run that did not succeed ended, with its error chain: "fit@1.0.0 (run …) timed out after 1 attempt: …".</summary>
    internal static string Describe(RunInfo run) => ErrorChain.Ended(RunView.From(run));

    static int Fail(TextWriter errors, string message, int exitCode)
    {
        errors.WriteLine($"error: {TerminalText.Visible(message)}"); // may quote a routine's exception
        return exitCode;
    }
}
