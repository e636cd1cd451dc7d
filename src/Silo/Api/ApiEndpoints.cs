using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Routines.Client;

namespace Routines.Silo.Api;

/// <summary>The resources under <c>/api/v1</c>: routines, runs (and their tree, history, result, logs, metrics), workers, schedules, tokens.</summary>
internal static class ApiEndpoints
{
    public static void MapRoutinesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");

        Read(api.MapGet("/routines", ListRoutines)).WithSummary("The routines live workers offer, with their schemas, policies and workers.");
        Read(api.MapGet("/routines/{name}", GetRoutine)).WithSummary("Every version of one routine live workers offer.");

        Operate(api.MapPost("/runs", Submit)).Accepts<SubmitRun>("application/json")
            .WithSummary("Starts a run; with wait, answers when it is terminal (up to the request's life).");
        Read(api.MapGet("/runs", ListRuns)).WithSummary("Runs matching the filters, newest first, and how many match.");
        Read(api.MapGet("/runs/{runId}", GetRun)).WithSummary("One run.");
        Read(api.MapGet("/runs/{runId}/children", Children)).WithSummary("A workflow run's direct children, in call order.");
        Read(api.MapGet("/runs/{runId}/tree", Tree)).WithSummary("A run and all its descendants.");
        Read(api.MapGet("/runs/{runId}/history", History)).WithSummary("A run's status changes, oldest first.");
        Read(api.MapGet("/runs/{runId}/result", Result)).WithSummary("A finished run's output; the run's error as a problem otherwise.");
        Read(api.MapGet("/runs/{runId}/progress", Progress)).WithSummary("The last progress a run reported.");
        Read(api.MapGet("/runs/{runId}/metrics", Metrics)).WithSummary("The metric points a run logged.");
        Read(api.MapGet("/runs/{runId}/logs", Logs)).WithSummary("Log lines with a sequence number after 'after'.");
        Read(api.MapGet("/runs/{runId}/logs/stream", FollowLogs))
            .WithSummary("Log lines as Server-Sent Events until the run ends; resumes after Last-Event-ID.");
        Operate(api.MapPost("/runs/{runId}/cancel", Cancel)).Accepts<CancelRun>("application/json")
            .WithSummary("Cancels a run and its unfinished children.");
        Operate(api.MapPost("/runs/{runId}/retry", Retry)).WithSummary("Starts the routine and input of a run again, as a new run.");
        Read(api.MapGet("/runs/{runId}/artifacts", RunArtifacts)).WithSummary("The artifacts a run took, read, produced and returned.");
        Read(api.MapGet("/artifacts/{hash}", ArtifactLineage)).WithSummary("Every run that produced, read, took or returned an artifact, oldest first.");
        Read(api.MapGet("/artifacts/{hash}/content", ArtifactContent)).WithSummary("An artifact's bytes, checked against its hash as they stream.");
        // No Accepts metadata: it would refuse (415) the media types it does not list, and an artifact may be of any.
        Operate(api.MapPost("/artifacts", UploadArtifact))
            .WithSummary("Stores the body as an artifact (Content-Type its media type, ?name= its name) and returns its reference, for a run's input. "
                       + "An artifact no run references is removed after Routines:Service:Retention:UnreferencedArtifacts.");
        Read(api.MapGet("/workers", Workers)).WithSummary("The live workers.");

        Read(api.MapGet("/schedules", ListSchedules)).WithSummary("Every schedule, by name, with its state and next fire times.");
        Read(api.MapGet("/schedules/{name}", GetSchedule)).WithSummary("One schedule.");
        Operate(api.MapPut("/schedules/{name}", SaveSchedule)).Accepts<SaveSchedule>("application/json")
            .WithSummary("Creates the schedule, or replaces the one of that name (its pause and last tick stay).");
        Operate(api.MapDelete("/schedules/{name}", RemoveSchedule)).WithSummary("Removes a schedule; its runs stay.");
        Operate(api.MapPost("/schedules/{name}/pause", PauseSchedule)).WithSummary("Stops the schedule starting runs.");
        Operate(api.MapPost("/schedules/{name}/resume", ResumeSchedule))
            .WithSummary("Starts the schedule again from its next tick; ticks during the pause are not caught up.");
        Read(api.MapGet("/schedules/{name}/ticks", ScheduleTicks))
            .WithSummary("What became of the schedule's ticks, newest first: started with their run, skipped or failed, with why.");

        Admin(api.MapGet("/tokens", ListTokens)).WithSummary("Every token: name, scope, created, revoked.");
        Admin(api.MapPost("/tokens", CreateToken)).Accepts<CreateToken>("application/json")
            .WithSummary("Creates a token; its secret is in this answer only.");
        Admin(api.MapDelete("/tokens/{name}", RevokeToken)).WithSummary("Revokes a token.");
    }

    static RouteHandlerBuilder Read(RouteHandlerBuilder endpoint) => Needs(endpoint, TokenScope.Read);

    static RouteHandlerBuilder Operate(RouteHandlerBuilder endpoint) => Needs(endpoint, TokenScope.Operate);

    static RouteHandlerBuilder Admin(RouteHandlerBuilder endpoint) => Needs(endpoint, TokenScope.Admin);

    static RouteHandlerBuilder Needs(RouteHandlerBuilder endpoint, TokenScope scope)
    {
        var requires = new RequiresScope(scope);
        return endpoint.WithMetadata(requires).RequireAuthorization(requires.Policy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
    }

    static async Task<IReadOnlyList<RoutineResource>> ListRoutines(IRoutinesClient client, CancellationToken cancellationToken)
    {
        var routines = await client.ListRoutinesAsync(cancellationToken);
        var workers = await client.ListWorkersAsync(cancellationToken);
        return routines.Select(r => Resource(r, routines, workers)).ToList();
    }

    static async Task<Results<Ok<IReadOnlyList<RoutineResource>>, ProblemHttpResult>> GetRoutine(string name, IRoutinesClient client, CancellationToken cancellationToken)
    {
        var versions = (await ListRoutines(client, cancellationToken)).Where(r => r.Name == name).ToList();
        return versions.Count == 0
            ? TypedResults.Problem(ApiProblems.Problem(404, "Routine not found", $"No live worker offers a routine named '{name}'."))
            : TypedResults.Ok<IReadOnlyList<RoutineResource>>(versions);
    }

    static RoutineResource Resource(RoutineDescriptor routine, IReadOnlyList<RoutineDescriptor> all, IReadOnlyList<WorkerInfo> workers) => new(
        routine.Id.ToString(), routine.Id.Name, routine.Id.Version!, routine.Kind, routine.Description,
        JsonDocument.Parse(routine.InputSchema).RootElement, JsonDocument.Parse(routine.OutputSchema).RootElement,
        routine.Retry, routine.Timeout, routine.Cache, routine.Execution, routine.Priority, routine.Limits, routine.Triggers,
        [.. all.SelectMany(r => r.Triggers).Where(t => t.Target == routine.Id.Name).DistinctBy(t => t.Name)],
        workers.Where(w => w.Routines.Contains(routine.Id.ToString())).Select(w => w.Name).ToList());

    static async Task<Results<Created<RunResource>, Ok<RunResource>>> Submit(HttpRequest request, IRoutinesClient client, CancellationToken cancellationToken)
    {
        var submit = await BodyAsync<SubmitRun>(request, cancellationToken)
                     ?? throw new ArgumentException("The body must be a JSON object with at least \"routine\".");
        if (string.IsNullOrWhiteSpace(submit.Routine)) throw new ArgumentException("\"routine\" is required: a routine name or an exact routine id.");
        var input = submit.Input is { } json ? json.GetRawText() : "{}";
        if (submit.Wait)
        {
            var finished = await client.ExecuteAsync(submit.Routine, input, submit.Options, cancellationToken);
            return TypedResults.Ok(RunResource.Of(finished));
        }

        var handle = await client.SubmitAsync(submit.Routine, input, submit.Options, cancellationToken);
        var run = await client.GetRunAsync(handle.RunId, cancellationToken) ?? throw new InvalidOperationException($"Run {handle.RunId} was submitted but cannot be read.");
        return TypedResults.Created($"/api/v1/runs/{run.RunId}", RunResource.Of(run));
    }

    static async Task<RunList> ListRuns(
        IRoutinesClient client, CancellationToken cancellationToken, string? status = null, string? routine = null, string? root = null,
        bool roots = false, DateTimeOffset? since = null, DateTimeOffset? until = null, string? search = null, int skip = 0, int take = 50)
    {
        if (take is < 0 or > RunFilter.MaxTake) throw new ArgumentException($"take must be from 0 (only the count) to {RunFilter.MaxTake} (got {take}).");
        if (skip < 0) throw new ArgumentException($"skip must not be negative (got {skip}).");
        RunStatus? wanted = null;
        if (status is not null)
        {
            wanted = Enum.TryParse<RunStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                : throw new ArgumentException($"status must be one of {string.Join(", ", Enum.GetNames<RunStatus>().Select(n => n.ToLowerInvariant()))} (got '{status}').");
        }

        var page = await client.ListRunsAsync(new RunFilter
        {
            Status = wanted, RoutineName = routine, RootRunId = root, RootsOnly = roots, CreatedAfter = since, CreatedBefore = until,
            Search = search, Skip = skip, Take = take,
        }, cancellationToken);
        return new RunList(page.Runs.Select(RunResource.Of).ToList(), page.Total, page.TotalIsLowerBound);
    }

    static async Task<Results<Ok<RunResource>, ProblemHttpResult>> GetRun(string runId, IRoutinesClient client, CancellationToken cancellationToken)
        => await client.GetRunAsync(runId, cancellationToken) is { } run ? TypedResults.Ok(RunResource.Of(run)) : NoRun(runId);

    static async Task<Results<Ok<IReadOnlyList<RunResource>>, ProblemHttpResult>> Children(string runId, IRoutinesClient client, CancellationToken cancellationToken)
    {
        if (await client.GetRunAsync(runId, cancellationToken) is null) return NoRun(runId);
        var children = await client.ListChildrenAsync(runId, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<RunResource>>(children.Select(RunResource.Of).ToList());
    }

    static async Task<Results<Ok<RunTree>, ProblemHttpResult>> Tree(string runId, IRoutinesClient client, CancellationToken cancellationToken)
    {
        if (await client.GetRunAsync(runId, cancellationToken) is not { } run) return NoRun(runId);
        return TypedResults.Ok(await TreeOf(run, client, cancellationToken));
    }

    static async Task<RunTree> TreeOf(RunInfo run, IRoutinesClient client, CancellationToken cancellationToken)
    {
        var children = run.Kind == RoutineKind.Workflow ? await client.ListChildrenAsync(run.RunId, cancellationToken) : [];
        var nodes = new List<RunTree>(children.Count);
        foreach (var child in children) nodes.Add(await TreeOf(child, client, cancellationToken));
        return new RunTree(RunResource.Of(run), nodes);
    }

    static async Task<Results<Ok<IReadOnlyList<RunEvent>>, ProblemHttpResult>> History(string runId, IRoutinesClient client, CancellationToken cancellationToken)
    {
        if (await client.GetRunAsync(runId, cancellationToken) is null) return NoRun(runId);
        return TypedResults.Ok(await client.GetHistoryAsync(runId, cancellationToken));
    }

    static async Task<Results<Ok<IReadOnlyList<RunArtifact>>, ProblemHttpResult>> RunArtifacts(string runId, IRoutinesClient client, CancellationToken cancellationToken)
    {
        if (await client.GetRunAsync(runId, cancellationToken) is null) return NoRun(runId);
        return TypedResults.Ok(await client.ListArtifactsAsync(runId, cancellationToken));
    }

    static async Task<Results<Ok<IReadOnlyList<RunArtifact>>, ProblemHttpResult>> ArtifactLineage(string hash, IRoutinesClient client, CancellationToken cancellationToken)
    {
        var lineage = await client.GetLineageAsync(ValidHash(hash), cancellationToken);
        return lineage.Count == 0 ? NoArtifact(hash) : TypedResults.Ok(lineage);
    }

    static async Task<IResult> ArtifactContent(string hash, IRoutinesClient client, CancellationToken cancellationToken)
    {
        var lineage = await client.GetLineageAsync(ValidHash(hash), cancellationToken);
        if (lineage.Count == 0) return NoArtifact(hash);
        var artifact = lineage[0].Artifact;
        return TypedResults.Stream(await client.OpenArtifactAsync(hash, cancellationToken), artifact.MediaType, artifact.Name);
    }

    static async Task<Created<Artifact>> UploadArtifact(HttpRequest request, Artifacts.ArtifactStore store, string? name, CancellationToken cancellationToken)
    {
        // Streamed to the store, never held: the request size limit (Routines:Service:MaxRequestBytes) is for JSON bodies.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = null;
        var mediaType = request.ContentType is { Length: > 0 } type ? type : "application/octet-stream";
        var artifact = await store.PutAsync(request.Body, mediaType, name, cancellationToken);
        return TypedResults.Created($"/api/v1/artifacts/{artifact.Hash}", artifact);
    }

    static string ValidHash(string hash)
        => Artifact.IsHash(hash) ? hash : throw new ArgumentException($"'{hash}' is not an artifact hash: it is sha256: and 64 lowercase hex digits.");

    static ProblemHttpResult NoArtifact(string hash)
        => TypedResults.Problem(ApiProblems.Problem(404, "Artifact not found", $"No run records artifact {hash}."));

    static async Task<IResult> Result(string runId, IRoutinesClient client, CancellationToken cancellationToken)
    {
        if (await client.GetRunAsync(runId, cancellationToken) is not { } run) return NoRun(runId);
        if (!run.Status.IsTerminal())
            return ApiProblems.Result(ApiProblems.Problem(409, "Not finished", $"Run {runId} is still {run.Status}; wait for it first."));
        try
        {
            var output = RunOutcome.OutputOrThrow(run);
            // An output the engine stored as an artifact streams from it.
            return OffloadedOutput.Of(output) is { } artifact
                ? TypedResults.Stream(await client.OpenArtifactAsync(artifact.Hash, cancellationToken), "application/json")
                : TypedResults.Text(output, "application/json");
        }
        catch (RoutinesException exception)
        {
            return ApiProblems.Result(ApiProblems.Problem(422, $"Run {run.Status}", exception.Message,
                new() { ["exception"] = exception.GetType().FullName, ["error"] = run.Error }));
        }
    }

    static async Task<Results<Ok<RunProgress>, NoContent, ProblemHttpResult>> Progress(string runId, IRoutinesClient client, CancellationToken cancellationToken)
    {
        if (await client.GetRunAsync(runId, cancellationToken) is not { } run) return NoRun(runId);
        return run.Progress is { } progress ? TypedResults.Ok(progress) : TypedResults.NoContent();
    }

    static async Task<Results<Ok<IReadOnlyList<MetricPoint>>, ProblemHttpResult>> Metrics(string runId, IRoutinesClient client, CancellationToken cancellationToken)
    {
        if (await client.GetRunAsync(runId, cancellationToken) is null) return NoRun(runId);
        return TypedResults.Ok(await client.GetMetricsAsync(runId, cancellationToken));
    }

    static async Task<Results<Ok<IReadOnlyList<RunLogLine>>, ProblemHttpResult>> Logs(
        string runId, IRoutinesClient client, CancellationToken cancellationToken, long after = 0, int limit = 1000)
    {
        if (limit is < 1 or > RunFilter.MaxTake) throw new ArgumentException($"limit must be from 1 to {RunFilter.MaxTake} (got {limit}).");
        if (await client.GetRunAsync(runId, cancellationToken) is null) return NoRun(runId);
        return TypedResults.Ok(await client.GetLogsAsync(runId, after, limit, cancellationToken));
    }

    static async Task<IResult> FollowLogs(string runId, HttpRequest request, IRoutinesClient client, CancellationToken cancellationToken, long after = 0)
    {
        if (await client.GetRunAsync(runId, cancellationToken) is null) return NoRun(runId);
        // A reconnecting EventSource sends the id of the last event it got: go on after it.
        if (long.TryParse(request.Headers["Last-Event-ID"], out var lastEventId)) after = Math.Max(after, lastEventId);
        return TypedResults.ServerSentEvents(LogEvents(runId, after, client, cancellationToken));
    }

    static async IAsyncEnumerable<SseItem<object>> LogEvents(string runId, long after, IRoutinesClient client, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var line in client.FollowLogsAsync(runId, after, cancellationToken))
            yield return new SseItem<object>(line, "log") { EventId = line.Sequence.ToString() };
        var run = await client.GetRunAsync(runId, cancellationToken);
        yield return new SseItem<object>(new { status = run?.Status }, "end");
    }

    static async Task<Results<Accepted, ProblemHttpResult>> Cancel(string runId, HttpRequest request, IRoutinesClient client, CancellationToken cancellationToken)
    {
        var body = request.ContentLength is > 0 ? await BodyAsync<CancelRun>(request, cancellationToken) : null;
        if (await client.GetRunAsync(runId, cancellationToken) is null) return NoRun(runId);
        await client.CancelAsync(runId, body?.Reason is { Length: > 0 } reason ? reason : "cancelled through the HTTP API", cancellationToken);
        return TypedResults.Accepted($"/api/v1/runs/{runId}");
    }

    static async Task<Results<Created<RunResource>, ProblemHttpResult>> Retry(string runId, IRoutinesClient client, CancellationToken cancellationToken)
    {
        if (await client.GetRunAsync(runId, cancellationToken) is null) return NoRun(runId);
        var handle = await client.RetryAsync(runId, cancellationToken);
        var run = await client.GetRunAsync(handle.RunId, cancellationToken) ?? throw new InvalidOperationException($"Run {handle.RunId} was submitted but cannot be read.");
        return TypedResults.Created($"/api/v1/runs/{run.RunId}", RunResource.Of(run));
    }

    static Task<IReadOnlyList<WorkerInfo>> Workers(IRoutinesClient client, CancellationToken cancellationToken) => client.ListWorkersAsync(cancellationToken);

    static async Task<IReadOnlyList<ScheduleResource>> ListSchedules(IRoutinesClient client, CancellationToken cancellationToken)
        => [.. (await client.ListSchedulesAsync(cancellationToken)).Select(ScheduleResource.Of)];

    static async Task<Results<Ok<ScheduleResource>, ProblemHttpResult>> GetSchedule(string name, IRoutinesClient client, CancellationToken cancellationToken)
        => await client.GetScheduleAsync(name, cancellationToken) is { } schedule ? TypedResults.Ok(ScheduleResource.Of(schedule)) : NoSchedule(name);

    static async Task<Ok<ScheduleResource>> SaveSchedule(string name, HttpRequest request, IRoutinesClient client, CancellationToken cancellationToken)
    {
        var body = await BodyAsync<SaveSchedule>(request, cancellationToken)
                   ?? throw new ArgumentException("The body must be a schedule: {\"routine\": …, \"cron\": … or \"every\": …}.");
        return TypedResults.Ok(ScheduleResource.Of(await client.SaveScheduleAsync(body.ToSchedule(name), cancellationToken)));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> RemoveSchedule(string name, IRoutinesClient client, CancellationToken cancellationToken)
        => await client.RemoveScheduleAsync(name, cancellationToken) ? TypedResults.NoContent() : NoSchedule(name);

    static async Task<Results<Ok<ScheduleResource>, ProblemHttpResult>> PauseSchedule(string name, IRoutinesClient client, CancellationToken cancellationToken)
        => await client.PauseScheduleAsync(name, cancellationToken) is { } schedule ? TypedResults.Ok(ScheduleResource.Of(schedule)) : NoSchedule(name);

    static async Task<Results<Ok<ScheduleResource>, ProblemHttpResult>> ResumeSchedule(string name, IRoutinesClient client, CancellationToken cancellationToken)
        => await client.ResumeScheduleAsync(name, cancellationToken) is { } schedule ? TypedResults.Ok(ScheduleResource.Of(schedule)) : NoSchedule(name);

    static async Task<Results<Ok<IReadOnlyList<ScheduleTick>>, ProblemHttpResult>> ScheduleTicks(string name, IRoutinesClient client, CancellationToken cancellationToken, int take = 100)
    {
        if (take is < 1 or > 1000) throw new ArgumentException($"take must be from 1 to 1000 (got {take}).");
        if (await client.GetScheduleAsync(name, cancellationToken) is null) return NoSchedule(name);
        return TypedResults.Ok(await client.ListScheduleTicksAsync(name, take, cancellationToken));
    }

    static ProblemHttpResult NoSchedule(string name) => TypedResults.Problem(ApiProblems.Problem(404, "Schedule not found", $"There is no schedule named '{name}'."));

    static Task<IReadOnlyList<ApiToken>> ListTokens(ApiTokens tokens, CancellationToken cancellationToken) => tokens.ListAsync(cancellationToken);

    static async Task<Created<CreatedToken>> CreateToken(HttpRequest request, ApiTokens tokens, CancellationToken cancellationToken)
    {
        var ask = await BodyAsync<CreateToken>(request, cancellationToken) ?? throw new ArgumentException("The body must be {\"name\": …, \"scope\": …}.");
        var (token, secret) = await tokens.CreateAsync(ask.Name, ask.Scope, cancellationToken);
        return TypedResults.Created($"/api/v1/tokens/{token.Name}", new CreatedToken(token.Name, token.Scope, token.CreatedAt, secret));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> RevokeToken(string name, ApiTokens tokens, CancellationToken cancellationToken)
        => await tokens.RevokeAsync(name, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(ApiProblems.Problem(404, "Not found", $"There is no active token named '{name}'."));

    static ProblemHttpResult NoRun(string runId) => TypedResults.Problem(ApiProblems.Problem(404, "Run not found", $"There is no run {runId}."));

    /// <summary>
    /// The body as <typeparamref name="T"/>; malformed JSON throws <see cref="JsonException"/> with its path, which
    /// becomes a problem detail (model binding would answer a bare 400).
    /// </summary>
    static async Task<T?> BodyAsync<T>(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType()) throw new BadHttpRequestException("The body must be JSON (Content-Type: application/json).", 415);
        return await request.ReadFromJsonAsync<T>(ApiJson.Options, cancellationToken);
    }
}
