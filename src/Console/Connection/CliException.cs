namespace Routines.Cli.Connection;

/// <summary>An error the command line reports as one line on stderr, with its exit code.</summary>
internal sealed class CliException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
