using Microsoft.Extensions.DependencyInjection;
using Routines.Silo.Storage;
using Routines.Testing;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

/// <summary>One embedded silo (service + worker roles, SQLite file) shared by a test class; tests use distinct keys.</summary>
public sealed class EngineFixture : IAsyncLifetime
{
    public Executions Executions { get; } = new();

    public RoutineTestEnvironment Env { get; private set; } = null!;

    internal IRunStore Store => Env.Services.GetRequiredService<IRunStore>();

    public async Task InitializeAsync()
        => Env = await RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(Executions), slots: 8);

    public async Task DisposeAsync() => await Env.DisposeAsync();
}
