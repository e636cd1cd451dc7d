using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Routines.Silo.Api;

/// <summary>
/// Every error of the HTTP API is an RFC 9457 problem detail whose <c>detail</c> is the message the .NET client's
/// exception carries; <c>exception</c> names that exception, and a bad input adds its JSON path under <c>errors</c>.
/// </summary>
internal static class ApiProblems
{
    /// <summary>The problem an exception stands for, or null when it is not the caller's to see (a bug: 500).</summary>
    public static ProblemDetails? Of(Exception exception) => exception switch
    {
        InvalidRoutineInputException input => Problem(400, "Invalid input", input, new() { ["errors"] = new[] { new { path = input.Path, problem = input.Problem } } }),
        RoutineNotFoundException notFound => Problem(404, "Routine not found", notFound),
        RoutinesUnavailableException unavailable => Problem(503, "Service unavailable", unavailable),
        RunRemovedException removed => Problem(410, "Run removed", removed),
        ArtifactUnavailableException artifact when artifact.Message.StartsWith("No run records", StringComparison.Ordinal) => Problem(404, "Artifact not found", artifact),
        ArtifactUnavailableException artifact => Problem(503, "Artifact unavailable", artifact),
        RoutinesException other => Problem(409, "Refused", other),
        BadHttpRequestException bad => Problem(bad.StatusCode, bad.StatusCode == 413 ? "Request body too large" : "Bad request", bad),
        JsonException json => Problem(400, "Malformed JSON", json, new() { ["errors"] = new[] { new { path = json.Path ?? "$", problem = json.Message } } }),
        ArgumentException argument => Problem(400, "Bad request", argument),
        _ => null,
    };

    public static ProblemDetails Problem(int status, string title, string detail, Dictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions ?? []) problem.Extensions[key] = value;
        return problem;
    }

    static ProblemDetails Problem(int status, string title, Exception exception, Dictionary<string, object?>? extensions = null)
    {
        var problem = Problem(status, title, exception.Message, extensions);
        if (exception is RoutinesException) problem.Extensions["exception"] = exception.GetType().FullName;
        return problem;
    }

    public static IResult Result(ProblemDetails problem) => TypedResults.Problem(problem);

    public static IResult NotFound(string what) => Result(Problem(404, "Not found", what));

    public static Task WriteAsync(HttpContext context, int status, string title, string detail) => WriteAsync(context, Problem(status, title, detail));

    /// <summary>Writes the problem as the endpoints' results do (with its type and the request's trace id).</summary>
    public static async Task WriteAsync(HttpContext context, ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status ?? 500;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new() { HttpContext = context, ProblemDetails = problem });
    }
}
