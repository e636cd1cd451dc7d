using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Routines.Worker.Commands;

namespace Routines.Hosting;

/// <summary>Collects a project's services and routine assemblies, then runs the command line.</summary>
public sealed class RoutineHostBuilder
{
    readonly string[] _args;
    readonly List<Assembly> _assemblies;

    internal RoutineHostBuilder(string[] args, Assembly project)
    {
        _args = args;
        _assemblies = [project];
        Configuration = new ConfigurationManager();
        Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables();
    }

    /// <summary>Services routines receive through their constructors (a dataset loader, an HTTP client…).</summary>
    public IServiceCollection Services { get; } = new ServiceCollection();

    /// <summary>appsettings.json (next to the binary and in the working directory) and environment variables.</summary>
    public ConfigurationManager Configuration { get; }

    /// <summary>Also hosts the routines defined in <paramref name="assembly"/>.</summary>
    public RoutineHostBuilder AddRoutinesFrom(Assembly assembly)
    {
        _assemblies.Add(assembly);
        return this;
    }

    /// <summary>Runs the verb given on the command line; returns the process exit code.</summary>
    public Task<int> RunAsync() => RoutineCommandLine.InvokeAsync(_args, new ProjectSetup(_assemblies, Services, Configuration));
}
