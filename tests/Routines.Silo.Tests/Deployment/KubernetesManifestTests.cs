using System.Diagnostics;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Deployment;

/// <summary>The k8s/ manifests render offline and wire the cluster the way the hosting code expects.</summary>
public sealed class KubernetesManifestTests
{
    static async Task<string> RenderAsync()
    {
        using var kubectl = Process.Start(new ProcessStartInfo("kubectl", ["kustomize", Path.Combine(BuildOutput.RepositoryRoot, "k8s", "base")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var output = await kubectl.StandardOutput.ReadToEndAsync();
        var error = await kubectl.StandardError.ReadToEndAsync();
        await kubectl.WaitForExitAsync();
        Assert.True(kubectl.ExitCode == 0, error);
        return output;
    }

    static string Document(string rendered, string kind, string name)
        => rendered.Split("\n---\n").Single(d => d.Contains($"kind: {kind}\n") && d.Contains($"  name: {name}\n"));

    [Fact]
    public async Task Silos_AdvertiseThePodIp_AndJoinThroughPostgres()
    {
        var rendered = await RenderAsync();

        foreach (var deployment in new[] { "routines-service", "routines-worker-mlpipeline" })
        {
            var silo = Document(rendered, "Deployment", deployment);
            Assert.Contains("name: Routines__Cluster__AdvertisedAddress", silo);
            Assert.Contains("fieldPath: status.podIP", silo);
            Assert.Contains("fieldPath: metadata.name", silo);
            Assert.Contains("name: routines-cluster-", silo);
        }

        var cluster = Document(rendered, "ConfigMap", "routines-cluster-" + rendered.Split("name: routines-cluster-")[1].Split('\n')[0]);
        Assert.Contains("Routines__Cluster__Provider: Postgres", cluster);
        Assert.Contains("Routines__Cluster__ListenOnAnyAddress: \"true\"", cluster);
    }

    [Fact]
    public async Task Workers_GetLongerThanTheirShutdownGraceToStop()
    {
        var worker = Document(await RenderAsync(), "Deployment", "routines-worker-mlpipeline");

        var podGrace = int.Parse(worker.Split("terminationGracePeriodSeconds: ")[1].Split('\n')[0]);
        var shutdownGrace = TimeSpan.Parse(worker.Split("name: Routines__Worker__ShutdownGrace")[1].Split("value: \"")[1].Split('"')[0]);
        Assert.True(podGrace > shutdownGrace.TotalSeconds, $"pod grace {podGrace} s must exceed the worker's {shutdownGrace}");
    }

    [Fact]
    public async Task TheConsole_ReachesTheServiceThroughItsGateway_WithoutDatabaseCredentials()
    {
        var rendered = await RenderAsync();
        var console = Document(rendered, "Deployment", "routines-ui");
        var gateway = Document(rendered, "Service", "routines-gateway");

        Assert.Matches(@"name: Routines__Cluster__GatewayEndpoint\n\s+value: routines-gateway:30000\n", console);
        Assert.DoesNotContain("routines-db", console);
        Assert.Contains("clusterIP: None", gateway); // the name resolves to the service pod itself
        Assert.Contains("app: routines-service", gateway);
        Assert.Contains("port: 30000", gateway);
    }

    [Fact]
    public async Task EveryClusterProcess_SpeaksTlsWithTheMountedCertificate()
    {
        var rendered = await RenderAsync();
        var cluster = Document(rendered, "ConfigMap", "routines-cluster-" + rendered.Split("name: routines-cluster-")[1].Split('\n')[0]);
        Assert.Contains("Routines__Cluster__Tls__CertificatePath: /etc/routines/tls/tls.crt", cluster);
        Assert.Contains("Routines__Cluster__Tls__KeyPath: /etc/routines/tls/tls.key", cluster);
        Assert.Contains("Routines__Cluster__Tls__CaPath: /etc/routines/tls/ca.crt", cluster);
        Assert.DoesNotContain("TrustedNetwork", rendered);

        foreach (var deployment in new[] { "routines-service", "routines-worker-mlpipeline", "routines-ui" })
        {
            var pod = Document(rendered, "Deployment", deployment);
            Assert.Matches(@"- mountPath: /etc/routines/tls\n\s+name: tls\n\s+readOnly: true", pod);
            Assert.Matches(@"secretName: routines-tls", pod);
        }
    }

    /// <summary>Credentials are created in the cluster, never committed: the pods only reference Secrets by name.</summary>
    [Fact]
    public async Task TheRenderedManifests_CarryNoCredential_OnlyReferencesToSecrets()
    {
        var rendered = await RenderAsync();

        Assert.DoesNotContain("kind: Secret\n", rendered);
        Assert.DoesNotMatch(@"(?i)(password|token)\w*[ \t]*[:=][ \t]*[^\s{]", rendered); // PASSWORD: x, Password=x, PasswordHash: x
        Assert.DoesNotContain("-----BEGIN", rendered);
        Assert.DoesNotContain("change-me", rendered);
        foreach (var (deployment, secret) in new[] { ("routines-service", "routines-db"), ("routines-worker-mlpipeline", "routines-db"), ("routines-ui", "routines-ui-users") })
            Assert.Matches($@"secretRef:\n\s+name: {secret}\n", Document(rendered, "Deployment", deployment));
    }
}
