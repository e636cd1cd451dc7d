using System.CommandLine;
using Routines.Cli.Connection;
using Spectre.Console;
using Routines.Rendering;

namespace Routines.Cli.Commands;

/// <summary><c>context add|use|list</c>: named servers and tokens, kept in the config file.</summary>
internal static class ContextCommand
{
    public static Command Create() => new("context", $"Named servers and tokens, kept in {ContextFile.Path} (or $ROUTINES_CONFIG).")
    {
        Add(), Use(), List(),
    };

    static Command Add()
    {
        var name = new Argument<string>("name") { Description = "The context's name." };
        // Its own --server/--token: the global ones say where to connect now, these what to remember.
        var server = new Option<string>("--server") { Description = "The service's HTTP address.", Required = true };
        var token = new Option<string?>("--token") { Description = "The bearer token to send to it." };
        var command = new Command("add", "Add (or replace) a context; the first one added becomes current.") { name, server, token };
        command.SetAction(parse =>
        {
            var address = parse.GetValue(server)!;
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new CliException($"--server '{address}' is not an http(s) URL, for example {ServerAddress.DefaultServer}.", ExitCodes.BadInput);
            var file = ContextFile.Load();
            file.Contexts[parse.GetValue(name)!] = new ServerContext(address, parse.GetValue(token));
            (file with { Current = file.Current ?? parse.GetValue(name) }).Save();
            Console.Out.WriteLine($"Context '{parse.GetValue(name)}' saved in {ContextFile.Path}.");
            return ExitCodes.Success;
        });
        return command;
    }

    static Command Use()
    {
        var name = new Argument<string>("name") { Description = "The context to use from now on." };
        var command = new Command("use", "Make a context current.") { name };
        command.SetAction(parse =>
        {
            var file = ContextFile.Load();
            var wanted = parse.GetValue(name)!;
            if (!file.Contexts.ContainsKey(wanted))
            {
                throw new CliException($"There is no context '{wanted}' (there are: {string.Join(", ", file.Contexts.Keys.DefaultIfEmpty("none"))}). "
                                       + "Add it with 'routines context add NAME --server URL'.", ExitCodes.NotFound);
            }

            (file with { Current = wanted }).Save();
            Console.Out.WriteLine($"Using context '{wanted}'.");
            return ExitCodes.Success;
        });
        return command;
    }

    static Command List()
    {
        var command = new Command("list", "List the contexts; * marks the current one.");
        command.SetAction(_ =>
        {
            var file = ContextFile.Load();
            var table = new Table().AddColumns("", "Context", "Server", "Token");
            foreach (var (name, context) in file.Contexts.OrderBy(c => c.Key, StringComparer.Ordinal))
                table.AddRow(name == file.Current ? "*" : "", TerminalText.Markup(name), TerminalText.Markup(context.Server), context.Token is null ? "" : "set");
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
