using System.Diagnostics;

namespace Routines;

/// <summary>
/// The names Routines reports traces and metrics under, for a program that sets up OpenTelemetry itself
/// (<c>AddSource(RoutinesTelemetry.ActivitySourceName)</c>, <c>AddMeter(RoutinesTelemetry.MeterName)</c>).
/// </summary>
public static class RoutinesTelemetry
{
    /// <summary>Spans: a submit, a run's acceptance by the service, and each attempt on its worker.</summary>
    public const string ActivitySourceName = "Routines";

    /// <summary>Runs submitted and finished, attempt and waiting durations, queues, workers, slots, the store.</summary>
    public const string MeterName = "Routines";

    internal static readonly ActivitySource Source = new(ActivitySourceName, typeof(RoutinesTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The W3C <c>traceparent</c> of the current span, which a run records so its attempts join the caller's trace.</summary>
    internal static string? CurrentTraceParent => Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: var id } ? id : null;

    /// <summary>
    /// Starts a span named <c>{operation} {subject}</c> under a recorded <c>traceparent</c> (or the current span, when
    /// there is none); null, and no name made, when nobody listens.
    /// </summary>
    internal static Activity? Start(string operation, string? subject, ActivityKind kind, string? traceParent)
    {
        if (!Source.HasListeners()) return null;
        var name = subject is null ? operation : operation + " " + subject;
        return traceParent is not null && ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, kind, parent)
            : Source.StartActivity(name, kind);
    }

    /// <summary>Marks a span failed with the error's type and message (OpenTelemetry's <c>error.type</c> convention).</summary>
    internal static void Fail(Activity? activity, string errorType, string message)
    {
        if (activity is null) return;
        activity.SetStatus(ActivityStatusCode.Error, message);
        activity.SetTag("error.type", errorType);
    }
}
