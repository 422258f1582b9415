using ResMgrLite.Commands;
using ResMgrLite.Host.Sysfs;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Commands;

/// <summary><c>resmgrlite validate</c> against the kubelet's configuration file.</summary>
public sealed class KubeletConfigCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kubelet-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // What kubeadm writes (abridged): nested mappings whose keys must not be taken for top-level ones.
    private const string Kubeadm = """
        apiVersion: kubelet.config.k8s.io/v1beta1
        authentication:
          anonymous:
            enabled: false
          webhook:
            cacheTTL: 0s
        cgroupDriver: systemd
        clusterDNS:
        - 10.96.0.10
        kind: KubeletConfiguration
        logging:
          flushFrequency: 0
        rotateCertificates: true
        staticPodPath: /etc/kubernetes/manifests
        """;

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private (int Exit, string Stdout, string Stderr) Validate(string config, string kubelet)
    {
        using SysfsTree tree = SysfsFixtures.TwoCpuHybridHost().WriteTree();
        var machine = MachineModel.ToFacts(SysfsTopologyDiscovery.Discover(tree.SysfsRoot));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = ValidateCommand.Run(Write("90-resmgrlite.conf", config), machine, stdout, stderr, kubelet);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void A_different_cgroup_driver_than_the_kubelets_fails_with_the_line_and_the_fix()
    {
        string kubelet = Write("config.yaml", Kubeadm);

        (int exit, string stdout, string stderr) = Validate("[cgroup]\ncgroupDriver = \"cgroupfs\"\n", kubelet);

        Assert.Equal(1, exit);
        Assert.Contains($"{kubelet}:7: the kubelet's cgroupDriver is systemd, this configuration's cgroup.cgroupDriver is cgroupfs", stdout, StringComparison.Ordinal);
        Assert.Contains("set cgroupDriver = \"systemd\" in [cgroup]", stdout, StringComparison.Ordinal);
        Assert.Contains("1 conflict with the kubelet", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_cgroup_driver_and_the_kubelets_managers_off_pass()
    {
        string kubelet = Write("config.yaml", Kubeadm + "\ncpuManagerPolicy: none  # ResMgrLite pins\nmemoryManagerPolicy: \"None\"\ntopologyManagerPolicy: 'none'\n");

        (int exit, string stdout, _) = Validate("[cgroup]\ncgroupDriver = \"systemd\"\n[cpuManager]\npolicy = \"static\"\nreservedSystemCPUs = \"0\"\n[topologyManager]\npolicy = \"best-effort\"\n", kubelet);

        Assert.Equal(0, exit);
        Assert.Contains($"{kubelet}: matches the kubelet (cgroupDriver systemd;", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void AKubeletThatPinsToo_IsAConflictOnlyForTheManagersResMgrLiteRuns()
    {
        string kubelet = Write("config.yaml", Kubeadm + "\ncpuManagerPolicy: static\nmemoryManagerPolicy: Static\ntopologyManagerPolicy: single-numa-node\n");

        (int exit, string stdout, _) = Validate("[cgroup]\ncgroupDriver = \"systemd\"\n[cpuManager]\npolicy = \"static\"\nreservedSystemCPUs = \"0\"\n", kubelet);

        Assert.Equal(1, exit);
        Assert.Contains(":15: the kubelet's cpuManagerPolicy is static while ResMgrLite's CPU manager is static", stdout, StringComparison.Ordinal);
        Assert.Contains("delete /var/lib/kubelet/cpu_manager_state", stdout, StringComparison.Ordinal);
        // ResMgrLite's memory and topology managers are off here: the kubelet may run its own.
        Assert.DoesNotContain("memoryManagerPolicy", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("topologyManagerPolicy", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_cgroup_driver_the_kubelets_default_cgroupfs_counts()
    {
        string kubelet = Write("config.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n");

        (int exit, string stdout, _) = Validate("[cgroup]\ncgroupDriver = \"systemd\"\n", kubelet);

        Assert.Equal(1, exit);
        Assert.Contains($"{kubelet}: the kubelet's cgroupDriver is cgroupfs, this configuration's cgroup.cgroupDriver is systemd", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_kubelet_configuration_is_read_too()
    {
        string kubelet = Write("config.json", """{"kind":"KubeletConfiguration","cgroupDriver":"systemd","authentication":{"cgroupDriver":"cgroupfs"}}""");

        (int exit, string stdout, _) = Validate("[cgroup]\ncgroupDriver = \"systemd\"\n", kubelet);

        Assert.Equal(0, exit);
        Assert.Contains("matches the kubelet", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing.yaml", null, "no such file")]
    [InlineData("other.yaml", "apiVersion: v1\nkind: ConfigMap\ncgroupDriver: systemd\n", "no 'kind: KubeletConfiguration' line")]
    [InlineData("broken.json", "{\"kind\": ", "not valid JSON")]
    public void A_file_that_is_not_a_kubelet_configuration_is_not_checked_and_not_an_error(string name, string? text, string reason)
    {
        string kubelet = text is null ? Path.Combine(_directory, name) : Write(name, text);

        (int exit, string stdout, _) = Validate("[cgroup]\ncgroupDriver = \"systemd\"\n", kubelet);

        Assert.Equal(0, exit);
        Assert.Contains($"{kubelet}: not checked against the kubelet (", stdout, StringComparison.Ordinal);
        Assert.Contains(reason, stdout, StringComparison.Ordinal);
    }
}
