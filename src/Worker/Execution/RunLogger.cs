using Microsoft.Extensions.Logging;

namespace Routines.Worker.Execution;

/// <summary>The <see cref="RoutineContext.Logger"/>: formats each entry and keeps it with the run.</summary>
internal sealed class RunLogger(TelemetryBuffer telemetry) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var message = formatter(state, exception);
        if (exception is not null) message += Environment.NewLine + exception;
        telemetry.Log(logLevel, message);
    }
}
