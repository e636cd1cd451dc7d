using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Routines.Silo.Tests.Fixtures;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Api;

/// <summary>The service's HTTP API, against the real service, workers and PostgreSQL of a <see cref="ClusterFixture"/>.</summary>
public sealed class HttpApiTests(HttpApiTests.Cluster cluster, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<HttpApiTests.Cluster>, IDisposable
{
    /// <summary>A cluster of its own with one token per scope, created with the service's token verb.</summary>
    public sealed class Cluster : ClusterFixture, IAsyncLifetime
    {
        public Dictionary<string, string> Tokens { get; } = [];

        public new async Task InitializeAsync()
        {
            await base.InitializeAsync();
            foreach (var scope in new[] { "read", "operate", "admin" }) Tokens[scope] = await CreateTokenAsync(scope + "-token", scope);
        }

        public async Task<string> CreateTokenAsync(string name, string scope)
        {
            var (exitCode, printed) = await ServiceVerbAsync("token", "create", "--name", name, "--scope", scope);
            Assert.True(exitCode == 0, printed);
            return printed.Split('\n').Single(l => l.StartsWith("rtk_", StringComparison.Ordinal)).Trim();
        }
    }

    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public void Dispose() => output.WriteLine(cluster.Logs());

    HttpRequestMessage Request(HttpMethod method, string path, string? scope, object? body = null)
    {
        var request = new HttpRequestMessage(method, $"http://127.0.0.1:{cluster.HttpPort}{path}");
        if (scope is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", cluster.Tokens[scope]);
        if (body is string text) request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body);
        return request;
    }

    async Task<JsonNode> SendAsync(HttpMethod method, string path, string scope, object? body, HttpStatusCode expected)
    {
        using var request = Request(method, path, scope, body);
        // As a careful client does with a large body: the service may refuse it (413) before it is sent.
        request.Headers.ExpectContinue = body is string { Length: > 1024 * 1024 };
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text is "" ? "null" : text) ?? new JsonObject();
    }

    async Task<string> SubmitEchoAsync(string key)
        => (await SendAsync(HttpMethod.Post, "/api/v1/runs", "operate", new { routine = "echo", input = new { key, milliseconds = 0 }, wait = true },
            HttpStatusCode.OK))["runId"]!.GetValue<string>();

    async Task<int> RunCountAsync() => (await SendAsync(HttpMethod.Get, "/api/v1/runs?take=1", "read", null, HttpStatusCode.OK))["total"]!.GetValue<int>();

    /// <summary>The scope each operation should need: tokens are admin's; other reads need read, other writes operate.</summary>
    static string ScopeFor(string method, string path)
        => path.StartsWith("/api/v1/tokens", StringComparison.Ordinal) ? "admin" : method == "GET" ? "read" : "operate";

    static readonly string[] Scopes = ["read", "operate", "admin"];

    [Fact]
    public async Task EveryOperationInTheOpenApiDocument_AnswersByTheCallersScope()
    {
        var document = JsonNode.Parse(await Http.GetStringAsync($"http://127.0.0.1:{cluster.HttpPort}/openapi/v1.json"))!;
        var runId = await SubmitEchoAsync("scopes-" + Guid.NewGuid().ToString("N"));
        var (hash, _) = await ArtifactReadByARunAsync(Encoding.UTF8.GetBytes("scoped bytes"));
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => (Method: operation.Key.ToUpperInvariant(), Path: path.Key)))
            .ToList();
        Assert.True(operations.Count >= 19, $"{operations.Count} operations in the document");

        foreach (var (method, template) in operations)
        {
            var needed = Array.IndexOf(Scopes, ScopeFor(method, template));
            foreach (var scope in new string?[] { null, "read", "operate", "admin" })
            {
                // A fresh victim for each revoke, so the admin call has a token to revoke.
                var name = !template.Contains("{name}") ? "echo"
                    : template.Contains("tokens") ? await NewTokenNameAsync()
                    : template.Contains("schedules") ? await NewScheduleNameAsync() // a fresh one for each call, as a removal takes it
                    : "echo";
                var path = template.Replace("{runId}", runId).Replace("{name}", name).Replace("{hash}", hash);
                using var response = await Http.SendAsync(Request(new HttpMethod(method), path, scope, BodyFor(method, template)));
                var status = (int)response.StatusCode;
                var expected = scope is null ? "401" : Array.IndexOf(Scopes, scope) < needed ? "403" : "2xx";
                var ok = expected switch { "401" => status == 401, "403" => status == 403, _ => status is >= 200 and < 300 };
                Assert.True(ok, $"{method} {path} with {scope ?? "no"} token: {status}, expected {expected}: {await response.Content.ReadAsStringAsync()}");
            }
        }
    }

    async Task<string> NewTokenNameAsync()
    {
        var name = "victim-" + Guid.NewGuid().ToString("N")[..8];
        await SendAsync(HttpMethod.Post, "/api/v1/tokens", "admin", new { name, scope = "read" }, HttpStatusCode.Created);
        return name;
    }

    static readonly object YearlyEcho = new { routine = "echo", input = new { key = "scheduled", milliseconds = 0 }, cron = "0 0 1 1 *" };

    async Task<string> NewScheduleNameAsync()
    {
        var name = "s-" + Guid.NewGuid().ToString("N")[..12];
        await SendAsync(HttpMethod.Put, $"/api/v1/schedules/{name}", "operate", YearlyEcho, HttpStatusCode.OK);
        return name;
    }

    static object? BodyFor(string method, string template) => (method, template) switch
    {
        ("PUT", "/api/v1/schedules/{name}") => YearlyEcho,
        ("POST", "/api/v1/runs") => new { routine = "echo", input = new { key = "scoped", milliseconds = 0 } },
        ("POST", "/api/v1/tokens") => new { name = "t-" + Guid.NewGuid().ToString("N")[..12], scope = "read" },
        ("POST", _) => new { },
        _ => null,
    };

    [Fact]
    public async Task BadInput_GetsAProblemDetailWithTheClientsMessageAndPath_AndRecordsNothing()
    {
        var before = await RunCountAsync();

        var malformed = await SendAsync(HttpMethod.Post, "/api/v1/runs", "operate", """{"routine": "echo", "input": {"key": """, HttpStatusCode.BadRequest);
        Assert.Equal("Malformed JSON", malformed["title"]!.GetValue<string>());

        var wrongType = await SendAsync(HttpMethod.Post, "/api/v1/runs", "operate",
            new { routine = "echo", input = new { key = 5, milliseconds = 0 } }, HttpStatusCode.BadRequest);
        Assert.Equal("Routines.InvalidRoutineInputException", wrongType["exception"]!.GetValue<string>());
        Assert.Equal("$.key", wrongType["errors"]![0]!["path"]!.GetValue<string>());
        Assert.Matches(@"^Input for tname:echo:[0-9.]+ is invalid at \$\.key: ", wrongType["detail"]!.GetValue<string>());

        var unknown = await SendAsync(HttpMethod.Post, "/api/v1/runs", "operate", new { routine = "no_such_routine", input = new { } }, HttpStatusCode.NotFound);
        Assert.Equal("Routines.RoutineNotFoundException", unknown["exception"]!.GetValue<string>());
        Assert.Contains("no_such_routine", unknown["detail"]!.GetValue<string>());

        var badOptions = await SendAsync(HttpMethod.Post, "/api/v1/runs", "operate",
            new { routine = "echo", input = new { key = "k", milliseconds = 0 }, options = new { timeout = "-00:00:01" } }, HttpStatusCode.BadRequest);
        Assert.Contains("CallOptions.Timeout", badOptions["detail"]!.GetValue<string>());

        var unknownField = await SendAsync(HttpMethod.Post, "/api/v1/runs", "operate", new { routne = "echo" }, HttpStatusCode.BadRequest);
        Assert.Contains("routne", unknownField["detail"]!.GetValue<string>());

        var oversize = "{\"routine\": \"echo\", \"input\": {\"key\": \"" + new string('x', 18 * 1024 * 1024) + "\", \"milliseconds\": 0}}";
        var tooLarge = await SendAsync(HttpMethod.Post, "/api/v1/runs", "operate", oversize, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(413, tooLarge["status"]!.GetValue<int>());

        foreach (var (method, path) in new[] { ("GET", "/api/v1/runs/no-such-run"), ("POST", "/api/v1/runs/no-such-run/cancel"), ("POST", "/api/v1/runs/no-such-run/retry"), ("GET", "/api/v1/runs/no-such-run/logs/stream") })
        {
            var missing = await SendAsync(new HttpMethod(method), path, "operate", method == "POST" ? new { } : null, HttpStatusCode.NotFound);
            Assert.Equal("There is no run no-such-run.", missing["detail"]!.GetValue<string>());
        }

        var tooMany = await SendAsync(HttpMethod.Get, "/api/v1/runs?take=1001", "read", null, HttpStatusCode.BadRequest);
        Assert.Equal("take must be from 0 (only the count) to 1000 (got 1001).", tooMany["detail"]!.GetValue<string>());

        var notANumber = await SendAsync(HttpMethod.Get, "/api/v1/runs?take=many", "read", null, HttpStatusCode.BadRequest);
        Assert.Contains("take", notANumber["detail"]!.GetValue<string>());
        var badStatus = await SendAsync(HttpMethod.Get, "/api/v1/runs?status=done", "read", null, HttpStatusCode.BadRequest);
        Assert.Contains("(got 'done')", badStatus["detail"]!.GetValue<string>());

        var badName = await SendAsync(HttpMethod.Post, "/api/v1/tokens", "admin", new { name = "no spaces", scope = "read" }, HttpStatusCode.BadRequest);
        Assert.Contains("(got 'no spaces')", badName["detail"]!.GetValue<string>());

        Assert.Equal(before, await RunCountAsync());
    }

    /// <summary>Uploads the bytes as an artifact and runs beta_read_blob over it: the artifact's hash and the run's id.</summary>
    async Task<(string Hash, string RunId)> ArtifactReadByARunAsync(byte[] bytes, string mediaType = "text/plain")
    {
        using var upload = Request(HttpMethod.Post, "/api/v1/artifacts?name=notes.txt", "operate");
        upload.Content = new ByteArrayContent(bytes);
        upload.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var uploaded = await Http.SendAsync(upload);
        var artifact = JsonNode.Parse(await uploaded.Content.ReadAsStringAsync())!;
        Assert.True(uploaded.StatusCode == HttpStatusCode.Created, artifact.ToJsonString());
        var run = await SendAsync(HttpMethod.Post, "/api/v1/runs", "operate", new { routine = "beta_read_blob", input = new { blob = artifact }, wait = true }, HttpStatusCode.OK);
        Assert.True(run["status"]!.GetValue<string>() == "succeeded", run.ToJsonString());
        return (artifact["artifact"]!.GetValue<string>(), run["runId"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnArtifactUploaded_IsReadByARun_AndItsLineageAndBytesAreServed()
    {
        var bytes = new byte[20 * 1024 * 1024 + 3]; // above the JSON request limit: uploads stream
        new Random(5).NextBytes(bytes);

        var (hash, runId) = await ArtifactReadByARunAsync(bytes, "application/octet-stream");

        Assert.Equal("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), hash);
        var lineage = (await SendAsync(HttpMethod.Get, $"/api/v1/artifacts/{hash}", "read", null, HttpStatusCode.OK)).AsArray();
        Assert.Equal(["input", "read"], lineage.Select(l => l!["role"]!.GetValue<string>().ToLowerInvariant()));
        Assert.All(lineage, l => Assert.Equal(runId, l!["runId"]!.GetValue<string>()));
        Assert.Equal(2, (await SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}/artifacts", "read", null, HttpStatusCode.OK)).AsArray().Count);
        using var content = await Http.SendAsync(Request(HttpMethod.Get, $"/api/v1/artifacts/{hash}/content", "read"));
        Assert.Equal("application/octet-stream", content.Content.Headers.ContentType!.MediaType);
        Assert.Equal("notes.txt", content.Content.Headers.ContentDisposition!.FileNameStar ?? content.Content.Headers.ContentDisposition.FileName);
        Assert.Equal(bytes, await content.Content.ReadAsByteArrayAsync());

        var malformed = await SendAsync(HttpMethod.Get, "/api/v1/artifacts/sha256:nope", "read", null, HttpStatusCode.BadRequest);
        Assert.Contains("is not an artifact hash", malformed["detail"]!.GetValue<string>());
        var unknown = await SendAsync(HttpMethod.Get, $"/api/v1/artifacts/sha256:{new string('c', 64)}/content", "read", null, HttpStatusCode.NotFound);
        Assert.Equal($"No run records artifact sha256:{new string('c', 64)}.", unknown["detail"]!.GetValue<string>());
        var missingInput = await SendAsync(HttpMethod.Post, "/api/v1/runs", "operate",
            new { routine = "beta_read_blob", input = new { blob = new { artifact = "sha256:" + new string('d', 64), size = 1, mediaType = "text/plain" } } }, HttpStatusCode.BadRequest);
        Assert.Contains("which the artifact store", missingInput["detail"]!.GetValue<string>());
    }

    /// <summary>
    /// A download is one stream of chunks from the service; queries beside it make the service's read side run more than
    /// one activation. Each chunk must come from the activation that holds the stream: one that reached another aborted
    /// the download (it resumed from the start at most three times, then the response ended short).
    /// </summary>
    [Fact]
    public async Task ALargeArtifact_DownloadedWhileOtherReadsRun_ArrivesWhole()
    {
        var bytes = new byte[24 * 1024 * 1024];
        new Random(7).NextBytes(bytes);
        var (hash, runId) = await ArtifactReadByARunAsync(bytes, "application/octet-stream");

        for (var round = 0; round < 4; round++)
        {
            using var stop = new CancellationTokenSource();
            var reads = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                    await SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}/history", "read", null, HttpStatusCode.OK);
            })).ToList();
            using var content = await Http.SendAsync(Request(HttpMethod.Get, $"/api/v1/artifacts/{hash}/content", "read"));
            var downloaded = await content.Content.ReadAsByteArrayAsync();
            await stop.CancelAsync();
            await Task.WhenAll(reads);
            Assert.True(bytes.AsSpan().SequenceEqual(downloaded), $"round {round}: {downloaded.Length} of {bytes.Length} bytes, not the artifact's");
        }
    }

    [Fact]
    public async Task AnOutputTheEngineStoredAsAnArtifact_IsServedWholeByTheResult()
    {
        var run = await SendAsync(HttpMethod.Post, "/api/v1/runs", "operate", new { routine = "many_lines", input = new { count = 5000 }, wait = true }, HttpStatusCode.OK);

        var runId = run["runId"]!.GetValue<string>();
        Assert.NotNull(run["output"]!["$offloaded"]); // the record keeps a reference
        var result = (await SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}/result", "read", null, HttpStatusCode.OK)).AsArray();
        Assert.Equal(5000, result.Count);
        Assert.Equal("line 4999 " + new string('y', 90), result[^1]!.GetValue<string>());
    }

    [Fact]
    public async Task ARevokedToken_IsRefused_AndAnUnknownOneToo()
    {
        var token = await cluster.CreateTokenAsync("revoked-" + Guid.NewGuid().ToString("N")[..8], "operate");
        var name = (await cluster.ServiceVerbAsync("token", "list")).Output.Split('\n').Single(l => l.StartsWith("revoked-", StringComparison.Ordinal)).Split('\t')[0];
        cluster.Tokens["revoked"] = token;
        await SendAsync(HttpMethod.Get, "/api/v1/workers", "revoked", null, HttpStatusCode.OK);

        var (exitCode, printed) = await cluster.ServiceVerbAsync("token", "revoke", name);
        Assert.True(exitCode == 0, printed);

        var refused = await SendAsync(HttpMethod.Post, "/api/v1/runs", "revoked", new { routine = "echo", input = new { key = "r", milliseconds = 0 } }, HttpStatusCode.Unauthorized);
        Assert.Equal("The token is unknown or revoked.", refused["detail"]!.GetValue<string>());
        cluster.Tokens["forged"] = "rtk_" + new string('A', 43);
        await SendAsync(HttpMethod.Get, "/api/v1/workers", "forged", null, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ALogFollowedOverServerSentEvents_DroppedAndResumed_LosesAndRepeatsNoLine()
    {
        const int lines = 60;
        var submitted = await SendAsync(HttpMethod.Post, "/api/v1/runs", "operate",
            new { routine = "chatty", input = new { key = "sse", lines, milliseconds = 40 } }, HttpStatusCode.Created);
        var runId = submitted["runId"]!.GetValue<string>();

        var seen = new List<long>();
        string? lastEventId = null;
        var ended = false;
        for (var connection = 0; !ended && connection < 10; connection++)
        {
            using var request = Request(HttpMethod.Get, $"/api/v1/runs/{runId}/logs/stream", "read");
            if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            // The first connections are dropped after a few lines, mid-run; the last one reads to the end.
            var budget = connection < 3 ? 7 : int.MaxValue;
            // An event is complete at its blank line; only then does it count (and its id become the one to resume after).
            var fields = new Dictionary<string, string>();
            while (budget > 0 && await reader.ReadLineAsync() is { } line)
            {
                if (line.Length > 0)
                {
                    var colon = line.IndexOf(':');
                    fields[line[..colon]] = line[(colon + 1)..].TrimStart();
                    continue;
                }

                if (fields.GetValueOrDefault("event") == "log")
                {
                    seen.Add(JsonNode.Parse(fields["data"])!["sequence"]!.GetValue<long>());
                    lastEventId = fields["id"];
                    budget--;
                }
                else if (fields.GetValueOrDefault("event") == "end")
                {
                    Assert.Contains("succeeded", fields["data"]);
                    ended = true;
                    break;
                }

                fields.Clear();
            }
        }

        Assert.True(ended, "the stream ends with the run");
        var stored = (await SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}/logs", "read", null, HttpStatusCode.OK)).AsArray()
            .Select(l => l!["sequence"]!.GetValue<long>()).ToList();
        Assert.Equal(lines, stored.Count(s => s > 0));
        Assert.Equal(stored, seen);
    }

    [Fact]
    public async Task TheCommittedOpenApiDocument_IsTheOneTheServiceServes()
    {
        var served = JsonNode.Parse(await Http.GetStringAsync($"http://127.0.0.1:{cluster.HttpPort}/openapi/v1.json"))!;
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(BuildOutput.RepositoryRoot, "docs", "openapi.v1.json")))!;
        served["servers"] = null;
        committed["servers"] = null;

        var copy = Path.Combine(Path.GetTempPath(), "openapi.v1.served.json");
        if (!JsonNode.DeepEquals(served, committed))
        {
            served.AsObject().Remove("servers");
            await File.WriteAllTextAsync(copy, served.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        Assert.True(JsonNode.DeepEquals(served, committed),
            $"docs/openapi.v1.json is stale: copy the service's /openapi/v1.json there (without \"servers\"), as docs/api.md says; this one is written to {copy}.");
    }

    [Fact]
    public async Task ARunSubmittedOverHttp_IsReadBackWithItsTreeHistoryAndResult()
    {
        var key = "http-" + Guid.NewGuid().ToString("N");
        var run = await SendAsync(HttpMethod.Post, "/api/v1/runs", "operate",
            new { routine = "pipeline", input = new { key, steps = 2, milliseconds = 10 }, options = new { useCache = false }, wait = true }, HttpStatusCode.OK);
        var runId = run["runId"]!.GetValue<string>();
        Assert.Equal("succeeded", run["status"]!.GetValue<string>());
        Assert.Equal(key, run["input"]!["key"]!.GetValue<string>()); // JSON, not a string of JSON

        var tree = await SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}/tree", "read", null, HttpStatusCode.OK);
        Assert.Equal(2, tree["children"]!.AsArray().Count);
        var history = await SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}/history", "read", null, HttpStatusCode.OK);
        Assert.Equal("succeeded", history.AsArray().Last()!["status"]!.GetValue<string>());
        var result = await SendAsync(HttpMethod.Get, $"/api/v1/runs/{runId}/result", "read", null, HttpStatusCode.OK);
        Assert.Equal($"{key}-1", result["steps"]![1]!["key"]!.GetValue<string>());

        var listed = await SendAsync(HttpMethod.Get, $"/api/v1/runs?routine=pipeline&status=succeeded&search={runId}", "read", null, HttpStatusCode.OK);
        Assert.Equal(runId, Assert.Single(listed["runs"]!.AsArray())!["runId"]!.GetValue<string>());
        Assert.Equal(1, listed["total"]!.GetValue<int>());
        Assert.False(listed["totalIsLowerBound"]!.GetValue<bool>());
        var counted = await SendAsync(HttpMethod.Get, $"/api/v1/runs?search={runId}&take=0", "read", null, HttpStatusCode.OK);
        Assert.Empty(counted["runs"]!.AsArray()); // take=0: the count only
        Assert.Equal(3, counted["total"]!.GetValue<int>()); // the run and its two steps, whose ids start with its own
        var routines = await SendAsync(HttpMethod.Get, "/api/v1/routines/pipeline", "read", null, HttpStatusCode.OK);
        Assert.Contains("alpha", routines[0]!["workers"]!.AsArray().Select(w => w!.GetValue<string>()));
        Assert.Equal(0, routines[0]!["priority"]!.GetValue<int>());
        Assert.Empty(routines[0]!["limits"]!.AsArray());
    }

    [Fact]
    public async Task Schedules_AreMadePausedResumedListedAndRemoved_AndTheirTicksLinkTheirRuns()
    {
        var name = "every-second-" + Guid.NewGuid().ToString("N")[..8];
        var path = $"/api/v1/schedules/{name}";

        var created = await SendAsync(HttpMethod.Put, path, "operate",
            new { routine = "echo", input = new { key = name, milliseconds = 0 }, every = "00:00:01", overlap = "allowAll", priority = 5 }, HttpStatusCode.OK);
        Assert.Equal("echo", created["routine"]!.GetValue<string>());
        Assert.Equal(name, created["input"]!["key"]!.GetValue<string>());
        Assert.Equal("allowAll", created["overlap"]!.GetValue<string>());
        Assert.Equal(5, created["nextTicks"]!.AsArray().Count);
        var started = await Eventually.ReturnsAsync(async () =>
            (await SendAsync(HttpMethod.Get, $"{path}/ticks?take=5", "read", null, HttpStatusCode.OK)).AsArray().FirstOrDefault(t => t!["outcome"]!.GetValue<string>() == "started"),
            TimeSpan.FromSeconds(30), "a started tick");
        var run = await SendAsync(HttpMethod.Get, $"/api/v1/runs/{started!["runId"]!.GetValue<string>()}", "read", null, HttpStatusCode.OK);
        Assert.Equal(name, run["input"]!["key"]!.GetValue<string>());
        Assert.Equal(5, run["options"]!["priority"]!.GetValue<int>());

        var paused = await SendAsync(HttpMethod.Post, $"{path}/pause", "operate", new { }, HttpStatusCode.OK);
        Assert.True(paused["paused"]!.GetValue<bool>());
        Assert.Empty(paused["nextTicks"]!.AsArray());
        Assert.Contains((await SendAsync(HttpMethod.Get, "/api/v1/schedules", "read", null, HttpStatusCode.OK)).AsArray(), s => s!["name"]!.GetValue<string>() == name);
        Assert.False((await SendAsync(HttpMethod.Post, $"{path}/resume", "operate", new { }, HttpStatusCode.OK))["paused"]!.GetValue<bool>());

        await SendAsync(HttpMethod.Delete, path, "operate", null, HttpStatusCode.NoContent);
        var gone = await SendAsync(HttpMethod.Get, path, "read", null, HttpStatusCode.NotFound);
        Assert.Equal($"There is no schedule named '{name}'.", gone["detail"]!.GetValue<string>());
        await SendAsync(HttpMethod.Get, $"{path}/ticks", "read", null, HttpStatusCode.NotFound);
        await SendAsync(HttpMethod.Delete, path, "operate", null, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"routine":"echo","input":{"key":"k","milliseconds":0},"cron":"61 * * * *"}""", 400, "Schedule.Cron '61 * * * *' is not a cron expression")]
    [InlineData("""{"routine":"echo","input":{"key":"k","milliseconds":0},"cron":"0 3 * * *","timeZone":"Nowhere/City"}""", 400, "Schedule.TimeZone 'Nowhere/City'")]
    [InlineData("""{"routine":"echo","input":{"key":"k","milliseconds":0}}""", 400, "either Cron or Every")]
    [InlineData("""{"routine":"echo","input":{"key":"k","milliseconds":0},"every":"00:00:00.5"}""", 400, "Schedule.Every must be whole seconds")]
    [InlineData("""{"routine":"echo","input":{"key":"k","milliseconds":"soon"},"every":"00:01:00"}""", 400, "$.milliseconds")]
    [InlineData("""{"routine":"ecko","input":{},"every":"00:01:00"}""", 404, "Did you mean echo")]
    [InlineData("""{"routine":"echo","every":"00:01:00","overlap":"sometimes"}""", 400, "$.overlap")]
    public async Task ABadSchedule_IsRefusedWithWhatIsWrong_AndNothingIsSaved(string body, int status, string expected)
    {
        var name = "bad-" + Guid.NewGuid().ToString("N")[..8];

        var problem = await SendAsync(HttpMethod.Put, $"/api/v1/schedules/{name}", "operate", body, (HttpStatusCode)status);

        Assert.Contains(expected, problem.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        await SendAsync(HttpMethod.Get, $"/api/v1/schedules/{name}", "read", null, HttpStatusCode.NotFound);
        await SendAsync(HttpMethod.Get, $"/api/v1/schedules/{name}/ticks?take=0", "read", null, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ATriggeredRun_NamesItsCause_AndTheCatalogShowsTheTriggerOnBothRoutines()
    {
        var key = "trig-" + Guid.NewGuid().ToString("N")[..8];
        var source = await SendAsync(HttpMethod.Post, "/api/v1/runs", "operate", new { routine = "chained_step", input = new { key, milliseconds = 0 }, wait = true },
            HttpStatusCode.OK);
        var sourceId = source["runId"]!.GetValue<string>();

        // The trigger's InputFor runs on a worker process; the run it builds starts on the service.
        var triggered = await Eventually.ReturnsAsync(async () =>
        {
            using var response = await Http.SendAsync(Request(HttpMethod.Get, $"/api/v1/runs/{sourceId}-then-then_echo", "read"));
            return response.IsSuccessStatusCode && JsonNode.Parse(await response.Content.ReadAsStringAsync()) is { } run
                   && run["status"]!.GetValue<string>() == "succeeded" ? run : null;
        }, TimeSpan.FromSeconds(30), "the triggered run");

        Assert.Equal($"{key}-echoed", triggered["input"]!["key"]!.GetValue<string>());
        Assert.Equal("then_echo", triggered["cause"]!["trigger"]!.GetValue<string>());
        Assert.Equal(sourceId, triggered["cause"]!["runId"]!.GetValue<string>());
        Assert.Equal("succeeded", triggered["cause"]!["status"]!.GetValue<string>());
        var chained = (await SendAsync(HttpMethod.Get, "/api/v1/routines/chained_step", "read", null, HttpStatusCode.OK)).AsArray().Single()!;
        Assert.Equal("echo", chained["triggers"]!.AsArray().Single()!["target"]!.GetValue<string>());
        var echo = (await SendAsync(HttpMethod.Get, "/api/v1/routines/echo", "read", null, HttpStatusCode.OK)).AsArray().Single()!;
        Assert.Equal("chained_step", echo["triggeredBy"]!.AsArray().Single()!["source"]!.GetValue<string>());
        var history = (await SendAsync(HttpMethod.Get, $"/api/v1/runs/{sourceId}/history", "read", null, HttpStatusCode.OK)).AsArray();
        Assert.Contains(history, e => e!["reason"]?.GetValue<string>() == $"trigger then_echo started run {sourceId}-then-then_echo of echo");
    }
}
