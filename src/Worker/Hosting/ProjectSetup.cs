using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Routines.Hosting;

/// <summary>What a routines project brings to every verb: its routine assemblies, services and configuration.</summary>
internal sealed record ProjectSetup(IReadOnlyList<Assembly> Assemblies, IServiceCollection Services, IConfiguration Configuration)
{
    public Assembly Project => Assemblies[0];
}
