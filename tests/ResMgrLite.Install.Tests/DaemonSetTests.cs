using System.Text.Json;
using System.Text.RegularExpressions;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Install.Tests;

/// <summary>
/// packaging/kubernetes/resmgrlite-daemonset.yaml: parsed by a real YAML parser (Debian's
/// python3-yaml), every field checked against the Kubernetes API field names of the kinds it uses
/// (<see cref="KubernetesFields"/>), the references inside it resolved, and the configuration in
/// its ConfigMap accepted by the published binary's <c>validate</c>.
/// </summary>
public sealed partial class DaemonSetTests
{
    private static readonly string Manifest = Shipped.Packaging("kubernetes/resmgrlite-daemonset.yaml");

    private static JsonElement[] Documents()
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), "python3 with python3-yaml is needed to parse YAML (./build.sh test installs it)");
        (int exit, string json, string stderr) = Shipped.Run(python,
            ["-c", "import json, sys, yaml; json.dump(list(yaml.safe_load_all(open(sys.argv[1]))), sys.stdout)", Manifest]);
        Assert.True(exit == 0, $"not valid YAML (or python3-yaml missing): {stderr}");
        return JsonDocument.Parse(json).RootElement.EnumerateArray().ToArray();
    }

    private static JsonElement Kind(string kind) => Documents().Single(d => d.GetProperty("kind").GetString() == kind);

    [Fact]
    public void Every_field_is_a_kubernetes_api_field_of_the_right_type()
    {
        JsonElement[] documents = Documents();
        Assert.Equal(["ConfigMap", "DaemonSet"], documents.Select(d => d.GetProperty("kind").GetString()));
        var problems = new List<string>();
        foreach (JsonElement document in documents)
        {
            string kind = document.GetProperty("kind").GetString()!;
            KubernetesFields.Check(document, KubernetesFields.Root(kind), kind, problems);
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void The_schema_catches_misspelled_fields_and_wrong_types()
    {
        // The checker itself: a field the API does not have, a string where a number belongs, a
        // value outside an enumeration, and a missing required field.
        using JsonDocument bad = JsonDocument.Parse("""
            {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"x"},
             "spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},
               "spec":{"terminationGracePeriodSecond":10,"containers":[{"name":"c","image":"i",
                 "imagePullPolicy":"Sometimes","resources":{"requests":{"cpu":"10 m"}},
                 "securityContext":{"runAsUser":"0"}}],
                 "volumes":[{"name":"v","hostPath":{"type":"Directory"}}]}}}}
            """);
        var problems = new List<string>();

        KubernetesFields.Check(bad.RootElement, KubernetesFields.Root("DaemonSet"), "DaemonSet", problems);

        Assert.Contains(problems, p => p.Contains("terminationGracePeriodSecond: not a field", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("imagePullPolicy: 'Sometimes' is not one of", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("requests.cpu: '10 m' is not a quantity", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("runAsUser: expected an integer", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("hostPath.path: required", StringComparison.Ordinal));
    }

    [Fact]
    public void Selectors_volumes_and_the_config_map_fit_together()
    {
        JsonElement daemonSet = Kind("DaemonSet");
        JsonElement configMap = Kind("ConfigMap");
        JsonElement spec = daemonSet.GetProperty("spec");
        JsonElement pod = spec.GetProperty("template").GetProperty("spec");

        foreach (JsonProperty label in spec.GetProperty("selector").GetProperty("matchLabels").EnumerateObject())
        {
            Assert.Equal(label.Value.GetString(), spec.GetProperty("template").GetProperty("metadata").GetProperty("labels").GetProperty(label.Name).GetString());
        }
        var volumes = pod.GetProperty("volumes").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        JsonElement container = pod.GetProperty("containers").EnumerateArray().Single();
        var mounts = container.GetProperty("volumeMounts").EnumerateArray().ToDictionary(m => m.GetProperty("mountPath").GetString()!, m => m.GetProperty("name").GetString()!);
        Assert.All(mounts.Values, name => Assert.True(volumes.ContainsKey(name), $"volumeMount {name} has no volume"));

        // The host paths the brief names, mounted at the same place inside.
        foreach (string hostPath in new[] { "/var/run/nri", "/sys/fs/cgroup", "/var/lib/resmgrlite" })
        {
            Assert.Equal(hostPath, volumes[mounts[hostPath]].GetProperty("hostPath").GetProperty("path").GetString());
        }

        // External mode on the NRI socket, with the configuration from the ConfigMap.
        string[] args = container.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray();
        Assert.Equal("run", args[0]);
        Assert.Equal("/var/run/nri/nri.sock", args[Array.IndexOf(args, "--socket") + 1]);
        string configPath = args[Array.IndexOf(args, "--config") + 1];
        JsonElement configVolume = volumes[mounts[Path.GetDirectoryName(configPath)!]];
        Assert.Equal(configMap.GetProperty("metadata").GetProperty("name").GetString(), configVolume.GetProperty("configMap").GetProperty("name").GetString());
        Assert.True(configMap.GetProperty("data").TryGetProperty(Path.GetFileName(configPath), out _), $"the ConfigMap has no key {Path.GetFileName(configPath)}");
        Assert.Equal(configMap.GetProperty("metadata").GetProperty("namespace").GetString(), daemonSet.GetProperty("metadata").GetProperty("namespace").GetString());

        // Requests from the measured footprint (docs/benchmarks.md): more than the resident memory, far below a node's.
        JsonElement resources = container.GetProperty("resources");
        Assert.False(resources.TryGetProperty("limits", out JsonElement limits) && limits.TryGetProperty("cpu", out _), "a CPU limit would throttle the answers containerd waits for");
        Assert.InRange(KubernetesFields.Bytes(resources.GetProperty("requests").GetProperty("memory").GetString()!), 16L << 20, 64L << 20);
    }

    [Fact]
    public void The_config_maps_configuration_is_valid()
    {
        string config = Path.Combine(Path.GetTempPath(), $"resmgrlite-daemonset-{Environment.ProcessId}.conf");
        File.WriteAllText(config, Kind("ConfigMap").GetProperty("data").GetProperty("90-resmgrlite.conf").GetString());
        try
        {
            // Checked against this machine; the line is printed before any comparison with a kubelet on it.
            (_, string stdout, string stderr) = Shipped.Run(RepoPaths.PublishedBinary, ["validate", "--config", config]);
            Assert.True(stdout.Contains($"{config}: configuration is valid", StringComparison.Ordinal), stdout + stderr);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public void The_image_named_in_the_manifest_is_the_one_the_package_build_writes()
    {
        string image = Kind("DaemonSet").GetProperty("spec").GetProperty("template").GetProperty("spec")
            .GetProperty("containers")[0].GetProperty("image").GetString()!;
        Assert.Equal($"localhost/resmgrlite:{Shipped.Version}", image);
        Assert.Matches(ImageRefPattern(), File.ReadAllText(Manifest));
    }

    [GeneratedRegex(@"skopeo copy oci-archive:out/resmgrlite_[0-9.]+_oci\.tar")]
    private static partial Regex ImageRefPattern();
}
