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

        // An artifact's bytes, streamed from the service; inline for the run page's images, else as a download. The
        // sandbox keeps an SVG (or any HTML) opened from here from running script on the console's origin.
        app.MapGet("/artifacts/{hash}/content", async (string hash, bool? download, ConsoleData data, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (!Artifact.IsHash(hash)) return Results.BadRequest($"'{hash}' is not an artifact hash (sha256: and 64 lowercase hex digits).");
            var lineage = await data.GetLineageAsync(hash, cancellationToken);
            if (lineage.Count == 0) return Results.NotFound($"No run records artifact {hash}.");
            var artifact = lineage[0].Artifact;
            http.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.CacheControl = "private, max-age=31536000, immutable"; // content-addressed: never changes
            var content = await data.OpenArtifactAsync(hash, cancellationToken);
            var name = download == true ? artifact.Name ?? hash[7..19] : null;
            return Results.Stream(content, artifact.MediaType, name);
        }).RequireAuthorization();
        return app;
    }
}
