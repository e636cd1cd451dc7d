namespace Routines.Tests.Shared;

/// <summary>Finds the built output of another project of this repository, in the test's own configuration.</summary>
public static class BuildOutput
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>For example <c>Dll("samples/MLPipeline", "MLPipeline.dll")</c>.</summary>
    public static string Dll(string projectDirectory, string dllName)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
        var dll = Path.Combine(RepositoryRoot, projectDirectory, "bin", configuration, "net10.0", dllName);
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {projectDirectory} first: {dll} is missing.");
    }

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Routines.sln"))) return dir.FullName;
        }

        throw new DirectoryNotFoundException("Routines.sln not found above " + AppContext.BaseDirectory);
    }
}
