// Benchmarks; they print numbers and assert nothing.
//   dotnet run -c Release --project bench/Routines.Bench                the local engine (embedded default)
//   dotnet run -c Release --project bench/Routines.Bench -- cluster     service + 2 worker processes + PostgreSQL
// "worker" is how the cluster benchmark starts this same program as a worker of its cluster.
using Routines.Bench;
using Routines.Hosting;

return args.FirstOrDefault() switch
{
    "worker" => await RoutineHost.RunAsync(args),
    "cluster" => await ClusterBench.RunAsync(args),
    _ => await LocalBench.RunAsync(args).ContinueWith(_ => 0),
};
