namespace Routines.Cli.Commands;

/// <summary>The exit codes of the verbs, listed in <c>--help</c>; 0 to 5 and 130 mean what they mean for <c>run-routine</c>.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int RunFailed = 1;
    public const int BadInput = 2;
    public const int RunTimedOut = 4;
    public const int ServerUnreachable = 6;
    public const int NotAuthorized = 7;
    public const int NotFound = 8;
    public const int Cancelled = 130;

    public const string Help =
        "Exit codes: 0 succeeded; 1 the run failed; 2 bad input (unknown routine, invalid input, bad option); 4 the run timed out; "
      + "6 the server cannot be reached (or is unavailable); 7 the token is missing, wrong or lacks the scope; 8 no such run or routine; "
      + "130 the run was cancelled (also by Ctrl+C).";
}
