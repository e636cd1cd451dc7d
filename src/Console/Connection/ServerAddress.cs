using System.CommandLine;
using Routines.Cli.Commands;

namespace Routines.Cli.Connection;

/// <summary>Where to connect: <c>--server</c>/<c>--token</c> over ROUTINES_SERVER/ROUTINES_TOKEN over the current context over the default.</summary>
internal static class ServerAddress
{
    public const string DefaultServer = "http://127.0.0.1:8080";

    public static readonly Option<string?> Server = new("--server")
    {
        Description = $"The service's HTTP address (default: ROUTINES_SERVER, the current context, then {DefaultServer}).", Recursive = true,
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "A bearer token (default: ROUTINES_TOKEN, then the current context's).", Recursive = true,
    };

    public static RoutinesApi Connect(ParseResult parse)
    {
        var context = ContextFile.Load().CurrentContext;
        var server = parse.GetValue(Server) ?? Environment("ROUTINES_SERVER") ?? context?.Server ?? DefaultServer;
        var token = parse.GetValue(Token) ?? Environment("ROUTINES_TOKEN") ?? context?.Token;
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new CliException($"The server '{server}' is not an http(s) URL, for example {DefaultServer}.", ExitCodes.BadInput);
        return new RoutinesApi(uri, token);
    }

    static string? Environment(string name) => System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
