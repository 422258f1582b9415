using ResMgrLite.Engine;

namespace ResMgrLite.TestSupport.Sysfs;

/// <summary>The knobs of <see cref="SysfsMachineBuilder"/>; defaults describe 1 socket × 4 cores × 2 threads.</summary>
internal sealed class SysfsMachineSettings
{
    public int Sockets { get; set; } = 1;

    public int CoresPerSocket { get; set; } = 4;

    public int ThreadsPerCore { get; set; } = 2;

    public SiblingNumbering Numbering { get; set; } = SiblingNumbering.FarApart;

    public int NumaNodesPerSocket { get; set; } = 1;

    public int SocketsPerNumaNode { get; set; } = 1;

    /// <summary>0 = one L3 per socket.</summary>
    public int CoresPerL3 { get; set; }

    public bool HasL3 { get; set; } = true;

    public bool HasCaches { get; set; } = true;

    public bool OnlyL3Caches { get; set; }

    public int DiesPerSocket { get; set; } = 1;

    /// <summary>0 = no cluster_id file.</summary>
    public int CoresPerCluster { get; set; }

    public long MemoryTotalKiB { get; set; } = 4L * 1024 * 1024;

    public long MemoryFreeKiB { get; set; } = 3L * 1024 * 1024;

    public List<(long PageSizeKiB, long Total, long Free)> HugePages { get; private set; } = [];

    public int LocalDistance { get; set; } = 10;

    public int SameSocketDistance { get; set; } = 11;

    public int RemoteDistance { get; set; } = 21;

    public CpuSet Offline { get; set; }

    public CpuSet Isolated { get; set; }

    public bool HasNumaDirectories { get; set; } = true;

    public CgroupLayout Cgroups { get; set; } = CgroupLayout.Unified;

    public IReadOnlyList<string> UnifiedControllers { get; set; } = ["cpuset", "cpu", "io", "memory", "hugetlb", "pids"];

    public SysfsMachineSettings Clone()
    {
        var copy = (SysfsMachineSettings)MemberwiseClone();
        copy.HugePages = [.. HugePages];
        return copy;
    }
}
