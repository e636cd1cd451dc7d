namespace Routines.Hosting;

/// <summary>
/// Where a routines project lives: the nearest directory above the running binary that holds a <c>.csproj</c>
/// (<c>dotnet run</c> builds into the project's <c>bin/</c>). A deployed binary has none; then the working directory.
/// </summary>
internal static class ProjectDirectory
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (dir.EnumerateFiles("*.csproj").Any()) return dir.FullName;
        }

        return Directory.GetCurrentDirectory();
    }

    /// <summary>The embedded store's default file: <c>.routines/routines.db</c> under the project directory.</summary>
    public static string DefaultStorePath() => Path.Combine(Find(), ".routines", "routines.db");
}
