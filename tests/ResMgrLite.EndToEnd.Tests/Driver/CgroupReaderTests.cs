using ResMgrLite.CriTool.Cgroups;

namespace ResMgrLite.EndToEnd.Tests.Driver;

/// <summary>The reader against synthetic cgroup trees of both kinds.</summary>
public sealed class CgroupReaderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"resmgrlite-cgroups-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void V1_reads_one_hierarchy_per_controller_and_maps_the_unlimited_memory_value()
    {
        Write("cpuset/kubepods/podu/c1/cpuset.cpus", "1\n");
        Write("cpuset/kubepods/podu/c1/cpuset.mems", "0\n");
        Write("memory/kubepods/podu/c1/memory.limit_in_bytes", "9223372036854771712\n");
        Write("cpu/kubepods/podu/c1/cpu.shares", "1024\n");
        Write("cpu/kubepods/podu/c1/cpu.cfs_quota_us", "-1\n");
        var reader = new CgroupReader(_root);
        Assert.False(reader.IsUnified);
        Assert.True(reader.Exists("/kubepods/podu", "c1"));
        Assert.Equal(new CgroupValues("1", "0", "max", null, null, "1024", "-1"), reader.ReadContainer("/kubepods/podu", "c1"));
    }

    [Fact]
    public void V2_reads_the_unified_hierarchy_and_falls_back_to_effective_cpus()
    {
        Write("cgroup.controllers", "cpuset cpu memory\n");
        Write("kubepods/podu/c1/cpuset.cpus", "\n");
        Write("kubepods/podu/c1/cpuset.cpus.effective", "0-3\n");
        Write("kubepods/podu/c1/cpuset.mems", "1\n");
        Write("kubepods/podu/c1/memory.max", "134217728\n");
        Write("kubepods/podu/c1/memory.min", "67108864\n");
        Write("kubepods/podu/c1/memory.high", "max\n");
        Write("kubepods/podu/c1/cpu.weight", "39\n");
        Write("kubepods/podu/c1/cpu.max", "50000 100000\n");
        var reader = new CgroupReader(_root);
        Assert.True(reader.IsUnified);
        Assert.Equal(
            new CgroupValues("0-3", "1", "134217728", "67108864", "max", "39", "50000 100000"),
            reader.ReadContainer("/kubepods/podu", "c1"));
    }

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
