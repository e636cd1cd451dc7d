// The Routines service: run records, dispatch, retries, timeouts and the cache, for a cluster of workers.
//   dotnet run --project src/Silo              start the service (embedded default: localhost clustering + SQLite)
//   dotnet run --project src/Silo -- migrate   apply the PostgreSQL migrations and exit
using Routines.Silo.Hosting;

return await ServiceCommandLine.InvokeAsync(args);
