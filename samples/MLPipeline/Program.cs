using Microsoft.Extensions.DependencyInjection;
using MLPipeline;
using Routines.Hosting;

// One entry point gives the project its verbs: `run-routine` (run a routine and its children in this process),
// `list`, `info` and `worker` (join a cluster). The services registered here reach routines through their constructors.
var builder = RoutineHost.CreateBuilder(args);
builder.Services.AddSingleton<DatasetCatalog>();
return await builder.RunAsync();
