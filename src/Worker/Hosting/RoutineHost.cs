using System.Reflection;
using System.Runtime.CompilerServices;

namespace Routines.Hosting;

/// <summary>
/// The entry point of a routines project: <c>return await RoutineHost.RunAsync(args);</c> gives it the verbs
/// <c>run-routine</c>, <c>list</c>, <c>info</c> and <c>worker</c>.
/// </summary>
public static class RoutineHost
{
    /// <summary>Runs the verb in <paramref name="args"/> for the routines of the calling project; returns the exit code.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // GetCallingAssembly must see the project's code, not an inlined frame
    public static Task<int> RunAsync(string[] args) => CreateBuilder(args, Assembly.GetCallingAssembly()).RunAsync();

    /// <summary>A builder to register services the routines take in their constructors, then <c>RunAsync()</c>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static RoutineHostBuilder CreateBuilder(string[] args) => CreateBuilder(args, Assembly.GetCallingAssembly());

    static RoutineHostBuilder CreateBuilder(string[] args, Assembly project) => new(args, project);
}
