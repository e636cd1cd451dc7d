using Microsoft.Extensions.Logging;
using Routines.Client;

namespace Routines.Silo.Runs;

internal sealed partial class RunGrain
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored the result of attempt {Attempt} of run {RunId}: the run is at attempt {Current}, {Status}.")]
    partial void LogStaleResult(string runId, int attempt, int current, RunStatus? status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow run {RunId} ended, and its unfinished children could not be cancelled: {Reason}")]
    partial void LogChildrenNotCancelled(string runId, string reason);
}
