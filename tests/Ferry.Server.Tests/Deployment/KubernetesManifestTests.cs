using System.Net;
using Ferry.Core.Nodes;
using Ferry.Server.Tests.Infrastructure;
using Ferry.Storage;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ferry.Server.Tests.Deployment;

/// <summary>
/// deploy/kubernetes/ as a cluster would read it (KubernetesClient's typed YAML loader), held to what
/// the server reads: the ports it listens on, the unauthenticated probe paths it answers, the
/// environment variables it binds, the volumes its directories live on, and the Secret and claim they name.
/// </summary>
public sealed class KubernetesManifestTests(FerryFactory factory) : IClassFixture<FerryFactory>
{
    private static readonly string ManifestDirectory = Path.Combine(FerryProcess.RepositoryRoot, "deploy", "kubernetes");

    [Fact]
    public async Task EveryManifest_LoadsAsTypedKubernetesObjects()
    {
        var files = Directory.GetFiles(ManifestDirectory, "*.yaml");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var objects = await KubernetesYaml.LoadAllFromFileAsync(file);
            Assert.NotEmpty(objects);
            Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject>(o));
        }
    }

    [Fact]
    public async Task WebAndCompute_AreDeploymentsWithServices_WebReplicated_ComputeHeadless()
    {
        var all = await LoadAllAsync();
        var web = Deployment(all, "ferry-web");
        var compute = Deployment(all, "ferry-compute");
        Assert.True(web.Spec.Replicas >= 2, "several web nodes");

        var webService = Service(all, "ferry");
        Assert.True(Selects(webService, web), "the web Service selects the web pods");
        Assert.False(Selects(webService, compute), "the web Service does not send API calls to compute nodes");
        Assert.Null(webService.Spec.SessionAffinity); // any web node reaches any session (it lives on a compute node)
        var computeService = Service(all, "ferry-compute");
        Assert.Equal("None", computeService.Spec.ClusterIP);
        Assert.True(Selects(computeService, compute), "the headless Service lists the compute pods");
        Assert.Equal(12805, Assert.Single(computeService.Spec.Ports).Port);

        foreach (var (service, deployment) in new[] { (webService, web), (computeService, compute) })
        {
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
            foreach (var port in service.Spec.Ports)
            {
                var target = port.TargetPort.Value;
                Assert.Contains(container.Ports, p => p.Name == target || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == target);
            }
        }
    }

    [Fact]
    public async Task Containers_ListenWhereTheirPortsAndProbesSay_AndTheProbesAnswerWithoutAToken()
    {
        using var anonymous = factory.CreateClient();
        foreach (var deployment in (await LoadAllAsync()).OfType<V1Deployment>())
        {
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
            var listens = new Uri(Env(container, "FERRY_URLS").Value);
            Assert.Contains(container.Ports, p => p.ContainerPort == listens.Port);
            Assert.Equal("0.0.0.0", listens.Host); // reachable from the kubelet and the Services, not loopback only

            foreach (var probe in new[] { container.StartupProbe, container.LivenessProbe, container.ReadinessProbe })
            {
                Assert.NotNull(probe?.HttpGet);
                Assert.Contains(container.Ports, p => p.Name == probe.HttpGet.Port.Value || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == probe.HttpGet.Port.Value);
                using var answer = await anonymous.GetAsync(probe.HttpGet.Path);
                Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{deployment.Metadata.Name}: {probe.HttpGet.Path} answered {(int)answer.StatusCode} without a token");
            }
        }
    }

    [Fact]
    public async Task Environment_IsWhatTheServerReads_AndPutsItsDirectoriesOnTheirVolumes()
    {
        var all = await LoadAllAsync();
        var serveHelp = (await FerryProcess.RunAsync(["serve", "--help"])).Output;
        foreach (var deployment in all.OfType<V1Deployment>())
        {
            var pod = deployment.Spec.Template.Spec;
            var container = Assert.Single(pod.Containers);
            var settings = new Dictionary<string, string?>();
            foreach (var env in container.Env)
            {
                if (env.ValueFrom?.FieldRef is not null)
                {
                    continue; // Kubernetes' own facts (the pod's address), spelled into other values as $(NAME)
                }

                if (env.Name.StartsWith("FERRY_", StringComparison.Ordinal))
                {
                    Assert.Contains($"env {env.Name}", serveHelp, StringComparison.Ordinal); // the variables `ferry serve` reads itself
                }
                else
                {
                    Assert.StartsWith("Ferry__", env.Name, StringComparison.Ordinal);
                    settings[env.Name.Replace("__", ":", StringComparison.Ordinal)] = env.Value?.Replace("$(POD_IP)", "10.0.0.4", StringComparison.Ordinal) ?? "from-secret";
                }

                if (env.ValueFrom?.SecretKeyRef is { } reference)
                {
                    var secret = all.OfType<V1Secret>().Single(s => s.Metadata.Name == reference.Name);
                    Assert.Contains(reference.Key, secret.StringData.Keys);
                }
            }

            // The Ferry__ variables, bound as the server binds them.
            settings[StorageOptions.DataDirectoryKey] = Env(container, "FERRY_DATA_DIR").Value;
            await using var services = Bind(settings);
            var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            Assert.Equal(StorageProvider.Postgres, database.Provider);
            Assert.Equal("from-secret", database.ConnectionString);
            var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
            Assert.Equal(Env(container, "Ferry__NodeDirectory").Value, storage.NodeDirectory);
            // The role, and how the roles find each other: web nodes read the compute Service's endpoints, compute
            // nodes advertise their pod's address on the port they listen on.
            var node = services.GetRequiredService<IOptions<NodeOptions>>().Value;
            var computeService = all.OfType<V1Service>().Single(s => s.Metadata.Name == "ferry-compute");
            if (deployment.Metadata.Name == "ferry-web")
            {
                Assert.Equal("web", Env(container, "FERRY_ROLE").Value);
                Assert.Equal(computeService.Metadata.Name, node.KubernetesService);
                Assert.Equal(["Ferry:DataDirectory", "Ferry:Node:KubernetesService", "Ferry:NodeDirectory", "Ferry:Storage:ConnectionString", "Ferry:Storage:Provider"], settings.Keys.Order()); // a new variable needs a check here
                var account = all.OfType<V1ServiceAccount>().Single(a => a.Metadata.Name == pod.ServiceAccountName);
                var binding = all.OfType<V1RoleBinding>().Single(b => b.Subjects.Any(s => s.Kind == "ServiceAccount" && s.Name == account.Metadata.Name));
                var role = all.OfType<V1Role>().Single(r => r.Metadata.Name == binding.RoleRef.Name);
                Assert.Contains(role.Rules, r => r.ApiGroups.Contains("discovery.k8s.io") && r.Resources.Contains("endpointslices") && r.Verbs.Contains("list"));
            }
            else
            {
                Assert.Equal("compute", Env(container, "FERRY_ROLE").Value);
                Assert.Equal(computeService.Spec.Ports.Single().Port, new Uri(node.AdvertisedUrl!).Port);
                Assert.Equal(["Ferry:DataDirectory", "Ferry:Node:AdvertisedUrl", "Ferry:NodeDirectory", "Ferry:Storage:ConnectionString", "Ferry:Storage:Provider"], settings.Keys.Order()); // a new variable needs a check here
            }

            // The data directory on the shared claim, the node directory on a volume of the pod's own.
            var volumes = pod.Volumes.ToDictionary(v => v.Name);
            Assert.All(container.VolumeMounts, m => Assert.Contains(m.Name, volumes.Keys));
            var data = volumes[container.VolumeMounts.Single(m => m.MountPath == storage.DataDirectory).Name];
            var claim = all.OfType<V1PersistentVolumeClaim>().Single(c => c.Metadata.Name == data.PersistentVolumeClaim.ClaimName);
            Assert.Contains("ReadWriteMany", claim.Spec.AccessModes);
            Assert.NotNull(volumes[container.VolumeMounts.Single(m => m.MountPath == storage.NodeDirectory).Name].EmptyDir);

            foreach (var resource in new[] { "cpu", "memory" })
            {
                Assert.Contains(resource, container.Resources.Requests.Keys);
                Assert.Contains(resource, container.Resources.Limits.Keys);
            }
        }
    }

    private static async Task<List<object>> LoadAllAsync()
    {
        var all = new List<object>();
        foreach (var file in Directory.GetFiles(ManifestDirectory, "*.yaml"))
        {
            all.AddRange(await KubernetesYaml.LoadAllFromFileAsync(file));
        }

        return all;
    }

    private static ServiceProvider Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddFerryStorage();
        services.AddOptions<NodeOptions>().BindConfiguration(NodeOptions.Section);
        return services.BuildServiceProvider();
    }

    private static V1Deployment Deployment(List<object> all, string name) => all.OfType<V1Deployment>().Single(d => d.Metadata.Name == name);

    private static V1Service Service(List<object> all, string name) => all.OfType<V1Service>().Single(s => s.Metadata.Name == name);

    private static V1EnvVar Env(V1Container container, string name) => container.Env.Single(e => e.Name == name);

    private static bool Selects(V1Service service, V1Deployment deployment) =>
        service.Spec.Selector.All(s => deployment.Spec.Template.Metadata.Labels.TryGetValue(s.Key, out var value) && value == s.Value);
}
