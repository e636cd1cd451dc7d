namespace Routines.Cli.Connection;

/// <summary>One named server and the token to use with it.</summary>
internal sealed record ServerContext(string Server, string? Token);
