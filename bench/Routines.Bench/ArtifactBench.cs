using System.Diagnostics;
using Routines.Client;
using Routines.Silo.Artifacts;
using Routines.Testing;
using Routines.Tests.Apps;

namespace Routines.Bench;

/// <summary>
/// The file artifact store's write and read throughput beside a plain copy and a plain read of the same bytes (1 GiB,
/// alternating, 3 rounds), and a worker's peak memory while one task saves 1 GiB and another reads it through the engine.
/// </summary>
internal static class ArtifactBench
{
    const long Size = 1L << 30;
    const int Rounds = 3;
    const int Buffer = 1 << 17;

    public static async Task<int> RunAsync(string[] args)
    {
        var directory = Directory.CreateTempSubdirectory("routines-artifact-bench-").FullName;
        try
        {
            var source = Path.Combine(directory, "source.bin");
            await using (var file = File.Create(source)) await new SeededBytes(Size, 1).CopyToAsync(file, Buffer);
            var store = new FileArtifactStore(Path.Combine(directory, "store"));
            Console.WriteLine($"Artifact store (file) vs plain file I/O, {Size / (1 << 20):N0} MiB, page cache warm, {Rounds} rounds alternating (MiB/s)");
            Console.WriteLine($"{"round",-6} {"plain copy",12} {"store write",12} {"plain read",12} {"store read",12}");
            for (var round = 1; round <= Rounds; round++)
            {
                var copy = await TimeAsync(async () =>
                {
                    await using var from = Open(source);
                    await using var to = new FileStream(Path.Combine(directory, "copy.bin"), FileMode.Create, FileAccess.Write, FileShare.None, Buffer, FileOptions.Asynchronous);
                    await from.CopyToAsync(to, Buffer);
                });
                Artifact? stored = null;
                var write = await TimeAsync(async () =>
                {
                    await using var from = Open(source);
                    stored = await store.PutAsync(from, "application/octet-stream", "source.bin", CancellationToken.None);
                });
                var plainRead = await TimeAsync(async () =>
                {
                    await using var from = Open(source);
                    await from.CopyToAsync(Stream.Null, Buffer);
                });
                var read = await TimeAsync(async () =>
                {
                    await using var from = await store.OpenAsync(stored!, CancellationToken.None);
                    await from.CopyToAsync(Stream.Null, Buffer);
                });
                await store.DeleteAsync(stored!.Hash, CancellationToken.None); // else the next write finds it stored
                File.Delete(Path.Combine(directory, "copy.bin"));
                Console.WriteLine($"{round,-6} {Rate(copy),12:N0} {Rate(write),12:N0} {Rate(plainRead),12:N0} {Rate(read),12:N0}");
            }

            await MeasureWorkerMemoryAsync(Path.Combine(directory, "engine"));
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A workflow whose task saves 1 GiB (generated as it is read) and whose next task reads it, sampling this process's memory.</summary>
    static async Task MeasureWorkerMemoryAsync(string directory)
    {
        await using var env = await RoutineTestEnvironment.StartAsync([typeof(ArtifactBench).Assembly]);
        await env.RunAsync("bench_blob_relay", new BlobSize(1)); // warm: the engine's own allocations are not the blob's
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.WorkingSet64;
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(5);
            }
        });
        var started = Stopwatch.GetTimestamp();
        var run = await env.RunAsync("bench_blob_relay", new BlobSize((int)(Size >> 20)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        await sampling.CancelAsync();
        await sampler;
        Console.WriteLine();
        Console.WriteLine($"Through the engine (embedded default): a task saves {Size >> 20:N0} MiB, the next reads it: {run.Status} in {elapsed.TotalSeconds:F1} s; "
                        + $"the worker's resident memory peaked {(peak - before) / (1 << 20):N0} MiB above its start ({before / (1 << 20):N0} MiB).");
    }

    static FileStream Open(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, Buffer, FileOptions.Asynchronous | FileOptions.SequentialScan);

    static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started);
    }

    static double Rate(TimeSpan elapsed) => Size / (1024.0 * 1024) / elapsed.TotalSeconds;
}

public sealed record BlobSize(int Megabytes);

[Routine("bench_make_blob")]
[Cache(false)]
public sealed class BenchMakeBlob : RoutineTask<BlobSize, Artifact>
{
    public override Task<Artifact> RunAsync(BlobSize input, RoutineContext ctx)
        => ctx.Artifacts.SaveAsync(new SeededBytes(input.Megabytes * (1L << 20), 1), "application/octet-stream", "blob.bin");
}

[Routine("bench_read_blob")]
[Cache(false)]
public sealed class BenchReadBlob : RoutineTask<Artifact, long>
{
    public override async Task<long> RunAsync(Artifact input, RoutineContext ctx)
    {
        await using var stream = await ctx.Artifacts.OpenAsync(input);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, ctx.CancellationToken)) > 0) total += read;
        return total;
    }
}

[Routine("bench_blob_relay")]
public sealed class BenchBlobRelay : RoutineWorkflow<BlobSize, long>
{
    public override async Task<long> RunAsync(BlobSize input, WorkflowContext ctx)
        => await ctx.CallAsync<BenchReadBlob, long>(await ctx.CallAsync<BenchMakeBlob, Artifact>(input));
}
