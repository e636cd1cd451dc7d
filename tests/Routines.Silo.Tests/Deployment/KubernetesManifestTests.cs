using System.Diagnostics;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Deployment;

/// <summary>The k8s/ manifests render offline and wire the cluster the way the hosting code expects.</summary>
public sealed class KubernetesManifestTests
{
    /// <summary>The base, and each overlay a team deploys.</summary>
    public static TheoryData<string> Targets => ["base", "overlays/dev", "overlays/prod"];

    internal static async Task<string> RenderAsync(string target = "base")
    {
        var (exitCode, output, error) = await RunAsync("kubectl", ["kustomize", Path.Combine(BuildOutput.RepositoryRoot, "k8s", target)]);
        Assert.True(exitCode == 0, error);
        return output;
    }

    static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, string[] args, string? input = null, string? directory = null)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null,
            WorkingDirectory = directory ?? BuildOutput.RepositoryRoot,
        })!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    internal static string Document(string rendered, string kind, string name)
        => Documents(rendered, kind).Single(d => d.Contains($"  name: {name}\n"));

    /// <summary>The rendered objects of a kind (every object when null), each ending in a newline (the separator takes the last one's).</summary>
    static IEnumerable<string> Documents(string rendered, string? kind = null)
        => rendered.Split("\n---\n").Select(d => d.EndsWith('\n') ? d : d + "\n").Where(d => kind is null || d.Contains($"kind: {kind}\n"));

    /// <summary>
    /// Every rendered object passes the schema of its kind — the built-in APIs, KEDA's and the Prometheus operator's —
    /// checked offline by tests/k8s-validate (the npm packages kubernetes-models and @kubernetes-models/*), which
    /// fails on a kind it has no schema for.
    /// </summary>
    [Theory]
    [MemberData(nameof(Targets))]
    public async Task EveryRenderedObject_PassesTheSchemaOfItsKind(string target)
    {
        var (exitCode, output, error) = await RunAsync("node", ["validate.mjs"], await RenderAsync(target), await ValidatorAsync());

        Assert.True(exitCode == 0, $"{target}: {error}{output}");
        Assert.Matches(@"^\d+ objects valid, 0 invalid", output);
    }

    static readonly SemaphoreSlim Install = new(1, 1);

    /// <summary>
    /// tests/k8s-validate with its packages: installed from its package-lock.json (npm ci) the first time, when missing,
    /// so the test command needs nothing beforehand but Node.js and npm.
    /// </summary>
    static async Task<string> ValidatorAsync()
    {
        var validator = Path.Combine(BuildOutput.RepositoryRoot, "tests", "k8s-validate");
        await Install.WaitAsync();
        try
        {
            if (!Directory.Exists(Path.Combine(validator, "node_modules", "kubernetes-models")))
            {
                var (exitCode, output, error) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], directory: validator);
                Assert.True(exitCode == 0, $"'npm ci' in tests/k8s-validate failed (Node.js and npm are needed for the manifests' schema check): {error}{output}");
            }
        }
        finally
        {
            Install.Release();
        }

        return validator;
    }

    /// <summary>The validator is not a rubber stamp: a wrong type, a missing field and an unknown kind each fail it.</summary>
    [Theory]
    [InlineData("replicas: 1\n", "replicas: one\n", "/spec/replicas must be integer")]
    [InlineData("  scaleTargetRef:\n    name: routines-worker-mlpipeline\n", "", "scaleTargetRef")]
    [InlineData("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject", "apiVersion: keda.sh/v1alpha1\nkind: ScaledThing", "no schema known")]
    public async Task TheValidator_RefusesABrokenManifest(string original, string broken, string expected)
    {
        var rendered = await RenderAsync("overlays/prod");
        Assert.Contains(original, rendered);

        var (exitCode, output, error) = await RunAsync("node", ["validate.mjs"], rendered.Replace(original, broken), await ValidatorAsync());

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, error + output);
    }

    /// <summary>Everything lands in the routines namespace, what an overlay adds too (base's namespace does not reach it).</summary>
    [Theory]
    [MemberData(nameof(Targets))]
    public async Task EveryObject_LandsInTheRoutinesNamespace(string target)
    {
        var rendered = await RenderAsync(target);
        var objects = Documents(rendered).Where(d => !d.Contains("kind: Namespace\n")).ToList();
        Assert.NotEmpty(objects);
        foreach (var document in objects)
            Assert.True(document.Contains("\n  namespace: routines\n"), $"{target}: not in the routines namespace:\n{document[..Math.Min(200, document.Length)]}");
    }

    /// <summary>Kubernetes restarts a pod that stops answering, and sends traffic only to a ready one.</summary>
    [Theory]
    [MemberData(nameof(Targets))]
    public async Task EveryRoutinesPod_IsProbedOnItsHealthPaths(string target)
    {
        var rendered = await RenderAsync(target);
        foreach (var deployment in new[] { "routines-service", "routines-worker-mlpipeline", "routines-ui" })
        {
            var pod = Document(rendered, "Deployment", deployment);
            Assert.Matches(@"livenessProbe:\n\s+failureThreshold: \d+\n\s+httpGet:\n\s+path: /healthz/live\n\s+port: http", pod);
            Assert.Matches(@"readinessProbe:\n\s+failureThreshold: \d+\n\s+httpGet:\n\s+path: /healthz/ready\n\s+port: http", pod);
            Assert.Matches(@"- containerPort: 8080\n\s+name: http", pod);
            Assert.Contains("prometheus.io/scrape: \"true\"", pod);
        }

        Assert.Matches(@"name: Routines__Worker__HttpPort\n\s+value: ""8080""", Document(rendered, "Deployment", "routines-worker-mlpipeline"));
        Assert.Contains("livenessProbe:", Document(rendered, "StatefulSet", "postgres"));
    }

    [Fact]
    public async Task Production_AutoscalesWorkers_BudgetsTheirDisruption_AndLimitsEveryContainer()
    {
        var rendered = await RenderAsync("overlays/prod");

        var scaled = Document(rendered, "ScaledObject", "routines-worker-mlpipeline");
        Assert.Contains("scaleTargetRef:\n    name: routines-worker-mlpipeline\n", scaled);
        Assert.Contains("type: prometheus", scaled);
        Assert.Contains("maxUnavailable: 1", Document(rendered, "PodDisruptionBudget", "routines-worker-mlpipeline"));
        foreach (var pod in Documents(rendered, "Deployment").Concat(Documents(rendered, "StatefulSet")))
            Assert.Matches(@"limits:\n\s+cpu: .+\n\s+memory: .+\n\s+requests:", pod);
        Assert.Contains("grafana_dashboard: \"1\"", Document(rendered, "ConfigMap", "routines-grafana-dashboard"));

        var dev = await RenderAsync("overlays/dev");
        Assert.DoesNotContain("kind: ScaledObject", dev);
        Assert.Contains("replicas: 1\n", Document(dev, "Deployment", "routines-worker-mlpipeline"));
    }

    /// <summary>Only the silos reach PostgreSQL; the silo and gateway ports only from inside the namespace.</summary>
    [Fact]
    public async Task NetworkPolicies_KeepTheDatabaseAndTheSiloPortsInside()
    {
        var rendered = await RenderAsync();

        var postgres = Document(rendered, "NetworkPolicy", "postgres");
        Assert.Contains("app: routines-service", postgres);
        Assert.Contains("app: routines-worker", postgres);
        Assert.DoesNotContain("routines-ui", postgres);
        var silos = Document(rendered, "NetworkPolicy", "silos");
        Assert.Matches(@"- from:\n\s+- podSelector: \{\}\n\s+ports:\n\s+- port: 11111\n\s+protocol: TCP\n\s+- port: 30000", silos);
        Assert.Contains("secretName: routines-ingress-tls", Document(rendered, "Ingress", "routines"));
    }

    /// <summary>The dashboard is Grafana JSON whose every query reads a metric Routines exports (docs/operations.md).</summary>
    [Fact]
    public void TheGrafanaDashboard_QueriesOnlyMetricsRoutinesExports()
    {
        var dashboard = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(BuildOutput.RepositoryRoot, "k8s", "monitoring", "grafana-dashboard.json")))!;
        var exported = ExportedMetrics();
        var panels = dashboard["panels"]!.AsArray();
        Assert.True(panels.Count >= 6);
        foreach (var panel in panels)
        {
            foreach (var target in panel!["targets"]!.AsArray())
            {
                var expr = target!["expr"]!.GetValue<string>();
                var metrics = System.Text.RegularExpressions.Regex.Matches(expr, @"routines_[a-z_]+").Select(m => m.Value).ToList();
                Assert.NotEmpty(metrics);
                foreach (var metric in metrics)
                    Assert.True(exported.Contains(System.Text.RegularExpressions.Regex.Replace(metric, "_(bucket|sum|count)$", "")), $"{panel["title"]}: {metric} is not a metric Routines exports");
            }
        }
    }

    /// <summary>The metric names docs/operations.md lists (the telemetry tests scrape them from real processes).</summary>
    internal static HashSet<string> ExportedMetrics()
        => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(BuildOutput.RepositoryRoot, "docs", "operations.md")), @"^\| `(routines_[a-z_]+)`(?:, `(routines_[a-z_]+)`)?", System.Text.RegularExpressions.RegexOptions.Multiline)
            .SelectMany(m => new[] { m.Groups[1].Value, m.Groups[2].Value }).Where(v => v.Length > 0).ToHashSet();

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

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Workers_GetLongerThanTheirShutdownGraceToStop(string target)
    {
        var worker = Document(await RenderAsync(target), "Deployment", "routines-worker-mlpipeline");

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
    [Theory]
    [MemberData(nameof(Targets))]
    public async Task TheRenderedManifests_CarryNoCredential_OnlyReferencesToSecrets(string target)
    {
        var rendered = await RenderAsync(target);

        Assert.DoesNotContain("kind: Secret\n", rendered);
        Assert.DoesNotMatch(@"(?i)(password|token)\w*[ \t]*[:=][ \t]*[^\s{]", rendered); // PASSWORD: x, Password=x, PasswordHash: x
        Assert.DoesNotContain("-----BEGIN", rendered);
        Assert.DoesNotContain("change-me", rendered);
        foreach (var (deployment, secret) in new[] { ("routines-service", "routines-db"), ("routines-worker-mlpipeline", "routines-db"), ("routines-ui", "routines-ui-users") })
            Assert.Matches($@"secretRef:\n\s+name: {secret}\n", Document(rendered, "Deployment", deployment));
    }
}
