using System.Text.Json;
using System.Text.Json.Serialization;
using Routines.Hosting;
using Routines.Serialization;
using Routines.Worker.Catalog;

namespace Routines.Worker.Commands;

/// <summary>Reads a project's routines without starting a silo (for <c>list</c> and <c>info</c>).</summary>
internal static class ProjectRoutines
{
    public static RoutineRegistry Load(ProjectSetup project)
    {
        var converters = project.Services.Where(d => d.ServiceType == typeof(JsonConverter) && d.ImplementationInstance is JsonConverter)
            .Select(d => (JsonConverter)d.ImplementationInstance!);
        return new RoutineRegistry(project.Assemblies, RoutineJson.CreateOptions(converters));
    }

    public static readonly JsonSerializerOptions Output = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
