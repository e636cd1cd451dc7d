namespace Routines.Cli.Rendering;

/// <summary>An error chain as text: the outermost error, then each cause on its own line down to the root cause.</summary>
internal static class ErrorChain
{
    public static string Describe(RunError error) => string.Join(Environment.NewLine + "  caused by ", error.Chain().Select(e =>
        $"{e.Type}: {e.Message}{(e.RunId is { } id ? $" (run {id})" : "")}"));
}
