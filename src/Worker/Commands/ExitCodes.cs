namespace Routines.Worker.Commands;

/// <summary>The exit codes of the verbs, listed in <c>--help</c>.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int RunFailed = 1;
    public const int BadInput = 2;
    public const int RunTimedOut = 4;
    public const int StoreUnavailable = 5;
    public const int ClusterUnavailable = 6;
    public const int Cancelled = 130;

    public const string Help =
        "Exit codes: 0 succeeded; 1 the run failed; 2 bad input (unknown routine, invalid or malformed input, bad option, a routine declared wrongly); "
      + "4 the run timed out; 5 the run store cannot be opened; 6 the worker cannot join the cluster; 130 cancelled (Ctrl+C).";
}
