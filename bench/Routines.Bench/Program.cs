// Benchmarks; they print numbers and assert nothing.
//   dotnet run -c Release --project bench/Routines.Bench                the local engine (embedded default)
//   dotnet run -c Release --project bench/Routines.Bench -- cluster     service + 2 worker processes + PostgreSQL
//   dotnet run -c Release --project bench/Routines.Bench -- tls         what TLS costs: a plain and a TLS cluster in turns
//   dotnet run -c Release --project bench/Routines.Bench -- telemetry   what OTLP export costs: a cluster without and one with, in turns
//   dotnet run -c Release --project bench/Routines.Bench -- store       the console's queries on 100,000 runs
//   dotnet run -c Release --project bench/Routines.Bench -- store --large 10000000   PostgreSQL at ten million runs
//   dotnet run -c Release --project bench/Routines.Bench -- dispatch    priorities and concurrency limits off and on
//   dotnet run -c Release --project bench/Routines.Bench -- replay-chaos [--kills 100]   workflows through random kill -9s
//   dotnet run -c Release --project bench/Routines.Bench -- artifacts   the artifact store beside plain file I/O; a worker's memory moving 1 GiB
// "worker" is how the cluster benchmark starts this same program as a worker of its cluster.
using Routines.Bench;
using Routines.Hosting;

return args.FirstOrDefault() switch
{
    "worker" => await RoutineHost.RunAsync(args),
    "cluster" => await ClusterBench.RunAsync(args),
    "tls" => await TlsBench.RunAsync(args),
    "telemetry" => await TelemetryBench.RunAsync(args),
    "store" => await StoreBench.RunAsync(args),
    "dispatch" => await DispatchBench.RunAsync(args),
    "replay-chaos" => await ReplayChaos.RunAsync(args),
    "artifacts" => await ArtifactBench.RunAsync(args),
    _ => await LocalBench.RunAsync(args).ContinueWith(_ => 0),
};
