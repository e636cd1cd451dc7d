using System.Reflection;
using System.Text.Json;
using Routines.Client;

namespace Routines.Worker.Catalog;

/// <summary>A trigger class of the project: what it watches and starts, and how it builds the target's input.</summary>
internal sealed record RegisteredTrigger(Type Type, TriggerDescriptor Descriptor, Type SourceOutput, Type TargetInput)
{
    /// <summary>The trigger's <c>InputFor</c> over the finished run: the target's input as JSON, or null to start nothing.</summary>
    public string? Map(object trigger, RunInfo finished, JsonSerializerOptions json)
    {
        var output = finished is { Status: RunStatus.Succeeded, OutputJson: { } text } ? JsonSerializer.Deserialize(text, SourceOutput, json) : null;
        var run = Activator.CreateInstance(typeof(FinishedRun<>).MakeGenericType(SourceOutput),
            finished.RunId, finished.Status, finished.InputJson, output, finished.Error)!;
        object? input;
        try
        {
            input = Type.GetMethod(nameof(RoutineTrigger<IRoutine<object>, object, object, object>.InputFor))!.Invoke(trigger, [run]);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception.InnerException);
            throw;
        }

        return input is null ? null : JsonSerializer.Serialize(input, TargetInput, json);
    }
}
