using Routines.Client;
using Routines.Tests.Shared;

namespace Routines.Bench;

/// <summary>What TLS costs: a plain cluster against one with TLS on every silo and gateway connection (the test authority's certificates).</summary>
internal static class TlsBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var certificates = new TestCertificates();
        var client = certificates.Trusted("client");
        return await PairBench.RunAsync("TLS on and off", ClusterBench.OptionValue(args, "--rounds") ?? 3,
            new Variant("TLS off", new Dictionary<string, string>()),
            new Variant("TLS on", certificates.Settings(certificates.Trusted("bench")),
                new RoutinesTlsOptions { CertificatePath = client.Certificate, KeyPath = client.Key, CaPath = certificates.CaPath }));
    }
}
