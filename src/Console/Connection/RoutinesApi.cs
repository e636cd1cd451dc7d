using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Routines.Cli.Commands;

namespace Routines.Cli.Connection;

/// <summary>
/// The service's HTTP API (<c>/api/v1</c>). Every failure becomes a <see cref="CliException"/>: one line naming what
/// went wrong, with the problem detail the service sent, and the exit code that goes with it.
/// </summary>
internal sealed class RoutinesApi : IDisposable
{
    readonly HttpClient _http;

    public RoutinesApi(Uri server, string? token)
    {
        Server = server.ToString().TrimEnd('/');
        // No overall timeout: a log stream lasts as long as its run. A dead address still fails fast on connect.
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = new Uri(Server + "/api/v1/"), Timeout = Timeout.InfiniteTimeSpan,
        };
        if (token is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public string Server { get; }

    public async Task<string> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
        => Parse<T>(await GetTextAsync(path, cancellationToken));

    public async Task<T> PostAsync<T>(string path, object? body, CancellationToken cancellationToken)
        => Parse<T>(await PostTextAsync(path, body, cancellationToken));

    public async Task<string> PostTextAsync(string path, object? body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body, options: ApiJson.Options) };
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    public async Task<T> PutAsync<T>(string path, object body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body, options: ApiJson.Options) };
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return Parse<T>(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, path), HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    /// <summary>A response whose body is read as it comes (an artifact's bytes); the caller disposes it.</summary>
    public Task<HttpResponseMessage> OpenAsync(string path, CancellationToken cancellationToken)
        => SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    /// <summary>Posts a stream as the body, with its media type; the answer's JSON.</summary>
    public async Task<string> PostStreamAsync(string path, Stream body, string mediaType, CancellationToken cancellationToken)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = content }, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>A Server-Sent Events stream, resumed after <paramref name="lastEventId"/> when given.</summary>
    public async Task<HttpResponseMessage> OpenEventsAsync(string path, string? lastEventId, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        return await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            using (request) response = await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw Unreachable(exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(exception);
        }

        if (response.IsSuccessStatusCode) return response;
        using (response) throw await ProblemAsync(response, cancellationToken);
    }

    public CliException Unreachable(Exception exception)
        => new($"Cannot reach the Routines service at {Server} ({exception.Message}). Is it running? Set --server, ROUTINES_SERVER or a context.",
            ExitCodes.ServerUnreachable);

    async Task<CliException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var detail = await DetailAsync(response, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new($"The service at {Server} refused the token (401): {detail} Set --token, ROUTINES_TOKEN or a context's token.", ExitCodes.NotAuthorized),
            HttpStatusCode.Forbidden => new($"The token may not do this (403): {detail}", ExitCodes.NotAuthorized),
            HttpStatusCode.NotFound => new(detail, ExitCodes.NotFound),
            >= HttpStatusCode.InternalServerError => new($"The service at {Server} failed ({status}): {detail}", ExitCodes.ServerUnreachable),
            _ => new(detail, ExitCodes.BadInput),
        };
    }

    /// <summary>The problem's <c>detail</c> (and the JSON paths of a bad input), else its title, else the status line.</summary>
    static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var problem = JsonDocument.Parse(text);
            var root = problem.RootElement;
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() : root.TryGetProperty("title", out var t) ? t.GetString() : null;
            if (detail is not null) return detail;
        }
        catch (JsonException)
        {
            // Not a problem detail (a proxy's page, say): fall back to the status line.
        }

        return $"{(int)response.StatusCode} {response.ReasonPhrase}.";
    }

    static T Parse<T>(string json) => JsonSerializer.Deserialize<T>(json, ApiJson.Options)
                                      ?? throw new CliException($"The service answered 'null' where a {typeof(T).Name} was expected.", ExitCodes.ServerUnreachable);

    public void Dispose() => _http.Dispose();
}
