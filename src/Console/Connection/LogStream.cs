using System.Net.ServerSentEvents;
using System.Text.Json;
using Routines.Cli.Commands;
using Routines.Client;

namespace Routines.Cli.Connection;

/// <summary>
/// Follows <c>/runs/{id}/logs/stream</c> until its <c>end</c> event. A dropped connection is opened again with
/// <c>Last-Event-ID</c>, so no line is missed or repeated; a service gone for good still ends in a clear error.
/// </summary>
internal static class LogStream
{
    const int Reconnects = 30;

    public static async Task FollowAsync(RoutinesApi api, string runId, Action<RunLogLine> onLine, CancellationToken cancellationToken)
    {
        string? lastEventId = null;
        for (var failures = 0; ; failures++)
        {
            try
            {
                using var response = await api.OpenEventsAsync($"runs/{Uri.EscapeDataString(runId)}/logs/stream", lastEventId, cancellationToken);
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
                {
                    if (item.EventType == "end") return;
                    if (item.EventType != "log") continue;
                    onLine(JsonSerializer.Deserialize<RunLogLine>(item.Data, ApiJson.Options)!);
                    lastEventId = item.EventId ?? lastEventId;
                    failures = 0;
                }
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested
                                              && exception is HttpRequestException or IOException or CliException { ExitCode: ExitCodes.ServerUnreachable })
            {
                // Dropped (a proxy's idle timeout, the service restarting): go on after the last line seen, for a while.
                if (failures >= Reconnects) throw exception as CliException ?? api.Unreachable(exception);
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }
}
