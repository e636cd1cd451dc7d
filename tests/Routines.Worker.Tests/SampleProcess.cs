using Routines.Tests.Shared;

namespace Routines.Worker.Tests;

/// <summary>Runs the built sample (samples/MLPipeline) as a real process, as a user's <c>dotnet run</c> would.</summary>
internal static class SampleProcess
{
    /// <summary>samples/MLPipeline/bin/&lt;Configuration&gt;/net10.0/MLPipeline.dll</summary>
    public static string DllPath => BuildOutput.Dll("samples/MLPipeline", "MLPipeline.dll");

    public static TestProcess Start(string workingDirectory, params string[] args) => TestProcess.Start(DllPath, workingDirectory, args);

    /// <summary>Runs to the end and returns the exit code (at most two minutes).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, params string[] args)
    {
        using var sample = Start(workingDirectory, args);
        var exitCode = await sample.WaitForExitAsync();
        return (exitCode, sample.Stdout, sample.Stderr);
    }
}
