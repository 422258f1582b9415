using System.Text.Json;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Topology;

namespace ResMgrLite.TestSupport;

/// <summary>
/// The kubelet's CPU-manager test topologies (docs/kubelet-rules.md §9.1), built directly
/// (core ids as the fixtures list them, uncore cache 0 unless the fixture defines caches).
/// tests/conformance/make_spec9_cases.py builds the same shapes for the JSON cases.
/// </summary>
internal static class KubeletFixtures
{
    public static CpuTopology SingleSocketHT => Build(8, c => new CpuInfo(c, c % 4, 0, 0, 0));

    public static CpuTopology DualSocketHT => Build(12, c => new CpuInfo(c, c % 6, c % 2, c % 2, 0));

    public static CpuTopology DualSocketNoHT => Build(8, c => new CpuInfo(c, c, c / 4, c / 4, 0));

    public static CpuTopology DualSocketMultiNumaPerSocketHT =>
        Build(80, c => new CpuInfo(c, c % 40, (c % 40) / 20, (c % 40) / 10, 0), Distances(4, (a, b) => a == b ? 10 : a / 2 == b / 2 ? 11 : 21));

    /// <summary>
    /// 4 sockets × 18 cores × 4 threads = 288 CPUs with irregular numbering, NUMA node = socket, as the
    /// kubelet's discovery sees it (core id = lowest thread id). Kept as data:
    /// tests/conformance/topologies/topoQuadSocketFourWayHT.json.
    /// </summary>
    public static CpuInfo[] QuadSocketFourWayHT()
    {
        string path = Path.Combine(RepoPaths.Root, "tests", "conformance", "topologies", "topoQuadSocketFourWayHT.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.GetProperty("topology").GetProperty("cpus").EnumerateArray()
            .Select(c => new CpuInfo(c.GetProperty("cpu").GetInt32(), c.GetProperty("core").GetInt32(),
                c.GetProperty("socket").GetInt32(), c.GetProperty("numa").GetInt32(), 0))
            .ToArray();
    }

    /// <summary>A synthetic machine: sockets × NUMA-per-socket × cores-per-NUMA × threads, siblings far apart (i, i + N/threads).</summary>
    public static CpuTopology Synthetic(int sockets, int numaPerSocket, int coresPerNuma, int threads)
    {
        int cores = sockets * numaPerSocket * coresPerNuma;
        int total = cores * threads;
        return Build(total, c =>
        {
            int core = c % cores;
            int numa = core / coresPerNuma;
            return new CpuInfo(c, core, numa / numaPerSocket, numa, numa);
        }, Distances(sockets * numaPerSocket, (a, b) => a == b ? 10 : a / numaPerSocket == b / numaPerSocket ? 11 : 21));
    }

    private static int[][] Distances(int n, Func<int, int, int> distance) =>
        Enumerable.Range(0, n).Select(a => Enumerable.Range(0, n).Select(b => distance(a, b)).ToArray()).ToArray();

    private static CpuTopology Build(int count, Func<int, CpuInfo> cpu, int[][]? distances = null) =>
        CpuTopology.Create(Enumerable.Range(0, count).Select(cpu).ToArray(), distances);
}
