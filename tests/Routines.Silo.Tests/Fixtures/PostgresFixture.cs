using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Fixtures;

/// <summary>One PostgreSQL server for every test that needs one (xUnit collection "postgres").</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;
