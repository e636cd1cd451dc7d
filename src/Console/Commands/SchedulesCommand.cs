using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Routines.Cli.Connection;
using Routines.Client;
using Routines.Rendering;
using Spectre.Console;

namespace Routines.Cli.Commands;

/// <summary><c>schedules</c>: lists, shows, sets, pauses, resumes and removes the service's schedules.</summary>
internal static class SchedulesCommand
{
    public static Command Create()
    {
        var json = ReadVerb.JsonOption();
        var command = new Command("schedules", "List the schedules (with 'show', 'set', 'pause', 'resume' and 'remove' to manage one).") { json };
        ReadVerb.SetAction(command, json, _ => "schedules", (_, _, text, _) =>
        {
            Print(JsonSerializer.Deserialize<IReadOnlyList<ScheduleResource>>(text, ApiJson.Options)!);
            return Task.CompletedTask;
        });
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Set());
        command.Subcommands.Add(Change("pause", "Stop a schedule starting runs until it is resumed.", HttpMethod.Post, "/pause", "Paused"));
        command.Subcommands.Add(Change("resume", "Start a paused schedule again from its next tick (ticks during the pause are not caught up).",
            HttpMethod.Post, "/resume", "Resumed"));
        command.Subcommands.Add(Change("remove", "Remove a schedule; the runs it started stay.", HttpMethod.Delete, "", "Removed"));
        return command;
    }

    static Argument<string> NameArgument() => new("name") { Description = "The schedule's name." };

    static string PathOf(string name, string rest = "") => $"schedules/{Uri.EscapeDataString(name)}{rest}";

    static void Print(IReadOnlyList<ScheduleResource> schedules)
    {
        if (schedules.Count == 0)
        {
            AnsiConsole.MarkupLine("No schedules. Make one with 'routines schedules set NAME ROUTINE --cron EXPR' (or --every).");
            return;
        }

        var table = new Table().AddColumns("Schedule", "Routine", "When", "Overlap", "State", "Last run", "Next");
        foreach (var s in schedules)
        {
            table.AddRow(TerminalText.Markup(s.Name), TerminalText.Markup(s.Routine), TerminalText.Markup(s.When), Words(s.Overlap),
                s.Paused ? "paused" : "active", TerminalText.Markup(s.LastRunId ?? "-"),
                s.NextTicks.Count > 0 ? s.NextTicks[0].ToString("u", CultureInfo.InvariantCulture) : "-");
        }

        AnsiConsole.Write(table);
    }

    static Command Show()
    {
        var name = NameArgument();
        var json = ReadVerb.JsonOption();
        var command = new Command("show", "Show a schedule: its routine, input, policy, next fire times and what became of its last ticks.") { name, json };
        ReadVerb.SetAction(command, json, parse => PathOf(parse.GetValue(name)!), async (parse, api, text, cancellationToken) =>
        {
            var s = JsonSerializer.Deserialize<ScheduleResource>(text, ApiJson.Options)!;
            var ticks = await api.GetAsync<IReadOnlyList<ScheduleTick>>(PathOf(s.Name, "/ticks?take=20"), cancellationToken);
            var grid = new Grid().AddColumns(2);
            grid.AddRow("Schedule", TerminalText.Markup(s.Name + (s.Declared ? " (declared on the routine)" : "")));
            grid.AddRow("Routine", TerminalText.Markup(s.Routine));
            grid.AddRow("Input", TerminalText.Markup(s.Input.GetRawText()));
            grid.AddRow("When", TerminalText.Markup(s.When));
            grid.AddRow("Overlap", Words(s.Overlap));
            grid.AddRow("Catch-up window", s.CatchUpWindow.ToString());
            if (s.Priority is { } priority) grid.AddRow("Priority", priority.ToString(CultureInfo.InvariantCulture));
            grid.AddRow("State", s.Paused ? "paused" : "active");
            grid.AddRow("Next", s.NextTicks.Count > 0 ? string.Join(", ", s.NextTicks.Select(t => t.ToString("u", CultureInfo.InvariantCulture))) : "-");
            AnsiConsole.Write(grid);

            // One line per tick, not a table: run ids are long, and a table would wrap them at the terminal's width.
            if (ticks.Count > 0) AnsiConsole.MarkupLine("\n[bold]Latest ticks[/]");
            foreach (var tick in ticks)
            {
                var at = tick.TickAt.ToString("u", CultureInfo.InvariantCulture)
                         + (tick.Count > 1 ? $" … {tick.LastTickAt?.ToString("u", CultureInfo.InvariantCulture)} ({tick.Count} ticks)" : "");
                Console.Out.WriteLine(TerminalText.Visible($"{at}  {tick.Outcome.ToString().ToLowerInvariant()}  {tick.RunId ?? "-"}  {tick.Reason}").TrimEnd());
            }
        });
        return command;
    }

    static Command Set()
    {
        var name = NameArgument();
        var routine = new Argument<string>("routine") { Description = "The routine it starts: a name (its newest version at each tick) or an exact id." };
        var cron = new Option<string?>("--cron") { Description = "A cron expression: five fields, or six with seconds first, for example '0 3 * * *'." };
        var every = new Option<string?>("--every") { Description = "Instead of --cron: an interval such as 30s, 5m, 1h, 1d or 00:05:00 (whole seconds)." };
        var zone = new Option<string>("--time-zone") { Description = "The time zone of --cron, an IANA id such as Europe/Paris.", DefaultValueFactory = _ => "UTC" };
        var input = new Option<string?>("--input", "-i") { Description = "The input of every run as JSON." };
        var inputFile = new Option<FileInfo?>("--input-file", "-f") { Description = "A file holding the input JSON." };
        var set = new Option<string[]>("--set", "-s") { Description = "A field of the input, key=value; repeatable." };
        var overlap = new Option<string>("--overlap")
        {
            Description = "When the previous run still goes: skip (the default), buffer-one, allow-all or cancel-previous.",
            DefaultValueFactory = _ => "skip",
        };
        overlap.AcceptOnlyFromAmong("skip", "buffer-one", "allow-all", "cancel-previous");
        var catchUp = new Option<string?>("--catch-up") { Description = "How long a tick missed while the service was down still starts (1h by default)." };
        var priority = new Option<int?>("--priority") { Description = "The priority of its runs, -100 to 100, over the routine's own." };
        var command = new Command("set", "Create a schedule, or replace the one of that name (its pause and last tick stay).")
        {
            name, routine, cron, every, zone, input, inputFile, set, overlap, catchUp, priority,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var body = new
            {
                routine = parse.GetValue(routine),
                input = RoutineInput.From(parse.GetValue(input), parse.GetValue(inputFile), parse.GetValue(set) ?? []),
                cron = parse.GetValue(cron),
                every = parse.GetValue(every) is { } interval ? Interval(interval, "--every") : (TimeSpan?)null,
                timeZone = parse.GetValue(zone),
                overlap = Enum.Parse<ScheduleOverlap>(parse.GetValue(overlap)!.Replace("-", ""), ignoreCase: true),
                catchUpWindow = parse.GetValue(catchUp) is { } window ? Interval(window, "--catch-up") : (TimeSpan?)null,
                priority = parse.GetValue(priority),
            };
            using var api = ServerAddress.Connect(parse);
            ScheduleResource saved;
            try
            {
                saved = await api.PutAsync<ScheduleResource>(PathOf(parse.GetValue(name)!), body, cancellationToken);
            }
            catch (CliException exception) when (exception.ExitCode == ExitCodes.NotFound)
            {
                throw new CliException(exception.Message, ExitCodes.BadInput); // no worker offers the routine: bad input
            }

            Console.Out.WriteLine($"Schedule {saved.Name}: {saved.Routine} {saved.When}; next at "
                                  + (saved.NextTicks.Count > 0 ? saved.NextTicks[0].ToString("u", CultureInfo.InvariantCulture) : "never") + ".");
            return ExitCodes.Success;
        });
        return command;
    }

    static Command Change(string verb, string description, HttpMethod method, string rest, string done)
    {
        var name = NameArgument();
        var command = new Command(verb, description) { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ServerAddress.Connect(parse);
            var path = PathOf(parse.GetValue(name)!, rest);
            if (method == HttpMethod.Delete) await api.DeleteAsync(path, cancellationToken);
            else await api.PostTextAsync(path, new { }, cancellationToken);
            Console.Out.WriteLine($"{done} schedule {parse.GetValue(name)}.");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>30s, 5m, 2h, 1d, or a TimeSpan's text.</summary>
    static TimeSpan Interval(string text, string option)
    {
        if (Durations.TryParse(text, out var duration)) return duration;
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span)
            ? span
            : throw new CliException($"{option} '{text}' is not an interval: give 30s, 5m, 2h, 1d or 00:05:00.", ExitCodes.BadInput);
    }

    static string Words(ScheduleOverlap overlap) => overlap switch
    {
        ScheduleOverlap.BufferOne => "buffer-one",
        ScheduleOverlap.AllowAll => "allow-all",
        ScheduleOverlap.CancelPrevious => "cancel-previous",
        _ => "skip",
    };
}
