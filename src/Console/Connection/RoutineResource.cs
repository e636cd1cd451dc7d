using System.Text.Json;

namespace Routines.Cli.Connection;

/// <summary>One routine version of the catalog.</summary>
internal sealed record RoutineResource(
    string Id, string Name, string Version, RoutineKind Kind, string? Description, JsonElement InputSchema, JsonElement OutputSchema,
    TimeSpan Timeout, bool Cache, IReadOnlyList<string> Workers,
    IReadOnlyList<Client.TriggerDescriptor>? Triggers = null, IReadOnlyList<Client.TriggerDescriptor>? TriggeredBy = null);
