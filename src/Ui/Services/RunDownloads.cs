using System.Globalization;
using System.Text;

namespace Routines.Ui.Services;

/// <summary>Plain-text downloads of a run's log (the Run detail page links to it).</summary>
internal static class RunDownloads
{
    public static IEndpointRouteBuilder MapRunDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/runs/{runId}/log.txt", async (string runId, ConsoleData data, CancellationToken cancellationToken) =>
        {
            var text = new StringBuilder();
            long after = 0;
            while (true)
            {
                var lines = await data.GetLogsAsync(runId, after, 1000, cancellationToken);
                foreach (var line in lines)
                {
                    text.Append(line.Timestamp.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture))
                        .Append(' ').Append(line.Level).Append(" [attempt ").Append(line.Attempt).Append("] ").AppendLine(line.Message);
                }

                if (lines.Count < 1000) break;
                after = lines[^1].Sequence;
            }

            return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/plain; charset=utf-8", $"run-{runId}.log");
        }).RequireAuthorization();
        return app;
    }
}
