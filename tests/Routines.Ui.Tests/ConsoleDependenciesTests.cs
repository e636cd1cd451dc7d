using Routines.Tests.Shared;

namespace Routines.Ui.Tests;

public sealed class ConsoleDependenciesTests
{
    /// <summary>
    /// The console is a client: it ships the public API and Orleans' client, no service code and no database driver.
    /// (Orleans' TLS package brings Microsoft.Orleans.Runtime along, decision #48.)
    /// </summary>
    [Theory]
    [InlineData("Routines.Silo")]
    [InlineData("Npgsql")]
    [InlineData("Microsoft.Data.Sqlite")]
    public void TheConsole_ShipsNoServiceCode(string package)
    {
        var deps = File.ReadAllText(Path.ChangeExtension(BuildOutput.Dll("src/Ui", "Routines.Ui.dll"), ".deps.json"));

        Assert.Contains("\"Routines.Abstractions", deps);
        Assert.DoesNotContain($"\"{package}/", deps);
    }
}
