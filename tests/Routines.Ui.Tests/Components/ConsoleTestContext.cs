using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Routines.Client;
using Routines.Ui.Hosting;
using Routines.Ui.Security;
using Routines.Ui.Services;

namespace Routines.Ui.Tests.Components;

/// <summary>A bUnit context with MudBlazor and the console's services over a <see cref="FakeRoutinesClient"/>.</summary>
public abstract class ConsoleTestContext : BunitContext, IAsyncLifetime
{
    internal FakeRoutinesClient Client { get; } = new();

    /// <summary>Who is signed in: an operator, unless a test makes them something else.</summary>
    protected BunitAuthorizationContext Authorization { get; }

    static ConsoleTestContext()
    {
        // The suite shares two cores with browser and cluster tests; the default one-second wait is too tight there.
        DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io);
    }

    protected ConsoleTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<IRoutinesClient>(Client);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(new UiOptions { RefreshInterval = TimeSpan.FromMilliseconds(200) });
        Services.AddSingleton<ClusterHealth>();
        Services.AddSingleton<ConsoleData>();
        Authorization = AddAuthorization();
        Authorization.SetAuthorized("tester");
        Authorization.SetRoles(nameof(ConsoleRole.Operator));
        Authorization.SetPolicies(ConsolePolicies.Operate);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>MudBlazor registers services that only dispose asynchronously; xUnit v2 would dispose synchronously.</summary>
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
