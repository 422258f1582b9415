using ResMgrLite.Host.Cgroups;

namespace ResMgrLite.Host.Tests.Cgroups;

/// <summary>Which cgroup paths from the runtime stay inside the kubelet's tree.</summary>
public sealed class CgroupPathGuardTests
{
    [Theory]
    [InlineData("kubepods", "/kubepods/burstable/pod1", "kubepods/burstable/pod1")]
    [InlineData("kubepods", "kubepods//pod1/./", "kubepods/pod1")]
    [InlineData("kubepods", "/kubepods", "kubepods")]
    [InlineData("kubepods.slice", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1_2.slice", "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1_2.slice")]
    [InlineData("custom/kubepods", "/custom/kubepods/besteffort/pod9", "custom/kubepods/besteffort/pod9")]
    [InlineData("/kubepods/", "kubepods/pod1", "kubepods/pod1")]
    public void Paths_inside_the_kubepods_tree_are_canonicalized(string root, string cgroup, string expected)
    {
        Assert.True(new CgroupPathGuard(root).TryCanonicalize(cgroup, out string canonical, out string? refusal), refusal);
        Assert.Equal(expected, canonical);
    }

    [Theory]
    [InlineData("kubepods", "/kubepods/../system.slice/x.service", "\"..\"")]
    [InlineData("kubepods", "kubepods/burstable/pod../../../etc", "\"..\"")]
    [InlineData("kubepods", "/system.slice/x.service", "outside")]
    [InlineData("kubepods", "/sys/fs/cgroup/kubepods/pod1", "outside")]
    [InlineData("kubepods", "/kubepodsX/pod1", "outside")]
    [InlineData("kubepods", "/", "outside")]
    [InlineData("kubepods", "", "empty")]
    [InlineData("kubepods", "kubepods/pod\n1", "control")]
    [InlineData("kubepods", "kubepods/pod\u00001", "control")]
    [InlineData("kubepods.slice", "/system.slice/containerd.service", "outside")]
    [InlineData("kubepods.slice", "/kubepods/burstable/pod1", "outside")]
    [InlineData("kubepods.slice", "kubepods-burstable.slice/kubepods-burstable-pod1.slice", "outside")]
    [InlineData("custom/kubepods", "/kubepods/pod1", "outside")]
    public void Paths_that_leave_the_tree_are_refused_with_the_reason(string root, string cgroup, string reason)
    {
        Assert.False(new CgroupPathGuard(root).TryCanonicalize(cgroup, out _, out string? refusal));
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("../kubepods")]
    public void An_unusable_kubepods_root_is_a_configuration_error(string root) =>
        Assert.Throws<ArgumentException>(() => new CgroupPathGuard(root));

    [Theory]
    [InlineData("cpu.max", true)]
    [InlineData("memory.min", true)]
    [InlineData("../cpu.max", false)]
    [InlineData("a/cpu.max", false)]
    [InlineData("..", false)]
    [InlineData("", false)]
    public void File_names_are_one_plain_component(string name, bool plain) =>
        Assert.Equal(plain, CgroupPathGuard.IsPlainFileName(name));
}
