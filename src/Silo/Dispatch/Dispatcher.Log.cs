using Microsoft.Extensions.Logging;

namespace Routines.Silo.Dispatch;

internal sealed partial class Dispatcher
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Name} ({WorkerId}) joined with {Slots} slots and {Routines} routines.")]
    partial void LogWorkerJoined(string name, string workerId, int slots, int routines);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {Name} ({WorkerId}) was lost: {Reason}; {Runs} runs handed back for dispatch.")]
    partial void LogWorkerLost(string name, string workerId, string reason, int runs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Name} ({WorkerId}) stopped and left the cluster; {Runs} runs handed back for dispatch.")]
    partial void LogWorkerStopped(string name, string workerId, int runs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovered unfinished runs: {Resumed} pending dispatched again, {Lost} running without a live worker handed back, {Awaiting} running on live workers that have not reported yet.")]
    partial void LogRecovered(int resumed, int lost, int awaiting);
}
