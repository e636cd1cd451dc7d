// A test worker project: the shared routines plus one only this project has.
using Routines.Hosting;
using Routines.Tests.Apps;

return await RoutineHost.CreateBuilder(args).AddRoutinesFrom(typeof(Step).Assembly).RunAsync();

namespace Routines.Tests.Apps
{
    using Routines;

    public sealed record Who(string Name, int Milliseconds = 0);

    /// <summary>Only the Beta project hosts this routine: capability routing must send it here.</summary>
    [Routine("beta_only")]
    [Cache(false)]
    public sealed class BetaOnly : RoutineTask<Who, StepOutput>
    {
        public override async Task<StepOutput> RunAsync(Who input, RoutineContext ctx)
        {
            await Task.Delay(input.Milliseconds, ctx.CancellationToken);
            Journal.Record("beta_only");
            return new StepOutput(input.Name, Environment.ProcessId, Environment.GetEnvironmentVariable("WORKER_NAME") ?? "?");
        }
    }

    public sealed record ReadBlob(Artifact Blob);

    /// <summary>Only Beta reads blobs: hashes an artifact's bytes itself, as they stream in.</summary>
    [Routine("beta_read_blob")]
    [Cache(false)]
    public sealed class BetaReadBlob : RoutineTask<ReadBlob, BlobCheck>
    {
        public override async Task<BlobCheck> RunAsync(ReadBlob input, RoutineContext ctx)
        {
            await using var stream = await ctx.Artifacts.OpenAsync(input.Blob);
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            long total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, ctx.CancellationToken)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                total += read;
            }

            return new BlobCheck("sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset()), total, Environment.GetEnvironmentVariable("WORKER_NAME") ?? "?");
        }
    }
}
