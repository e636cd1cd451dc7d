using Routines.Tests.Shared;

namespace Routines.Worker.Tests;

/// <summary>
/// The packages a routines project needs, as `dotnet pack` makes them, used by a new project outside the repository
/// (so none of the repository's build settings help it), exactly as the README says.
/// </summary>
public sealed class PackagedProjectTests : IDisposable
{
    // A version no earlier run restored, so the global package cache cannot hand back stale bits.
    static readonly string Version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    readonly string _directory = Directory.CreateTempSubdirectory("routines-new-project-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        var cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var package in new[] { "routines.abstractions", "routines.rendering", "routines.telemetry", "routines.silo", "routines.worker" })
        {
            try { Directory.Delete(Path.Combine(cache, package, Version), recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static async Task<string> DotnetAsync(string directory, params string[] args)
    {
        using var process = TestProcess.Start(args[0], directory, args[1..], new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" }, "dotnet");
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromMinutes(5));
        var output = process.Stdout + process.Stderr;
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', args)} exited {exitCode}:\n{output}");
        return output;
    }

    [Fact]
    public async Task ANewProjectOutsideTheRepository_RunsItsWorkflowFromThePackedPackages()
    {
        var packages = Path.Combine(_directory, "packages");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        foreach (var project in new[] { "src/Abstractions", "src/Rendering", "src/Telemetry", "src/Silo", "src/Worker" })
            await DotnetAsync(BuildOutput.RepositoryRoot, "pack", project, "--no-build", "-c", configuration, "-o", packages, $"-p:Version={Version}");

        var app = Directory.CreateDirectory(Path.Combine(_directory, "Greetings")).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="routines" value="{packages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Greetings.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Routines.Worker" Version="{Version}" />
                <PackageReference Include="Microsoft.Orleans.Sdk" Version="10.4.2" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), "return await Routines.Hosting.RoutineHost.RunAsync(args);\n");
        await File.WriteAllTextAsync(Path.Combine(app, "Greet.cs"), """
            using Routines;

            public sealed record Name(string Who);
            public sealed record Names(string[] Who);
            public sealed record Greeting(string Text);

            [Routine("greet")]
            public sealed class Greet : RoutineTask<Name, Greeting>
            {
                public override Task<Greeting> RunAsync(Name input, RoutineContext ctx) => Task.FromResult(new Greeting($"Hello, {input.Who}!"));
            }

            [Routine("greet_all")]
            public sealed class GreetAll : RoutineWorkflow<Names, string[]>
            {
                public override async Task<string[]> RunAsync(Names input, WorkflowContext ctx)
                    => (await Task.WhenAll(input.Who.Select(who => ctx.CallAsync<Greet, Greeting>(new Name(who))))).Select(g => g.Text).ToArray();
            }
            """);

        var output = await DotnetAsync(app, "run", "--", "run-routine", "greet_all", "--input", """{"who": ["Ada", "Grace"]}""");

        Assert.Contains("\"Hello, Ada!\"", output);
        Assert.Contains("\"Hello, Grace!\"", output);
        Assert.True(File.Exists(Path.Combine(app, ".routines", "routines.db")), "the run is recorded in the project's own store");
    }
}
