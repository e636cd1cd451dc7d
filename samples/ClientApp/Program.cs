using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Routines.Client;

// Where the cluster is: Routines:Cluster:GatewayEndpoint (appsettings.json, or the environment variable
// Routines__Cluster__GatewayEndpoint), default 127.0.0.1:30000, the embedded service's gateway.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddFilter("Orleans", LogLevel.Warning);
builder.UseRoutinesClient();
using var host = builder.Build();
await host.StartAsync();
var routines = host.Services.GetRequiredService<IRoutinesClient>();

// Submit the sample's workflow, follow its log while it runs, then print its result.
var run = await routines.SubmitAsync("train_and_pick_model", """{"dataset": "iris", "epochs": 40}""");
Console.WriteLine($"run {run.RunId} submitted");
await foreach (var line in run.FollowLogsAsync())
    Console.WriteLine($"{line.Timestamp:HH:mm:ss} {line.Message}");

var finished = await run.WaitAsync();
Console.WriteLine($"{finished.Status}: {RunOutcome.OutputOrThrow(finished)}");
await host.StopAsync();
