using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Host.Cgroups;
using ResMgrLite.Host.Files;
using ResMgrLite.TestSupport.Cgroups;

namespace ResMgrLite.Host.Tests.Cgroups;

/// <summary>The cgroup v2 writer on a fake cgroupfs tree: order, vanished cgroups, kernel refusals, rollback.</summary>
public sealed class CgroupWriterTests : IDisposable
{
    private readonly FakeCgroupTree _tree = new();
    private readonly List<string> _log = [];

    public CgroupWriterTests()
    {
        _tree.AddCgroup("kubepods");
        _tree.AddCgroup("kubepods/burstable");
        _tree.AddCgroup("kubepods/burstable/podA");
    }

    public void Dispose() => _tree.Dispose();

    /// <summary>Real file access on the fake tree, plus the kernel's refusals and a record of every write.</summary>
    private sealed class KernelLikeFiles(string root, Func<string, string, bool> rejects) : ICgroupFileAccess
    {
        private readonly CgroupFileAccess _real = new(root);

        public List<string> Writes { get; } = [];

        public bool DirectoryExists(string cgroup) => _real.DirectoryExists(cgroup);

        public string Read(string cgroup, string file) => _real.Read(cgroup, file);

        public void Write(string cgroup, string file, string value)
        {
            Writes.Add($"{Path.GetFileName(cgroup)}/{file}={value}");
            if (rejects($"{cgroup}/{file}", value))
            {
                throw new HostFileException(Path.Join(root, cgroup, file), HostFileProblem.SystemError, "invalid argument", 22);
            }
            _real.Write(cgroup, file, value);
        }
    }

    private CgroupWriter Writer(Func<string, string, bool> rejects, out KernelLikeFiles files)
    {
        files = new KernelLikeFiles(_tree.Root, rejects);
        return new CgroupWriter(_tree.Root, "kubepods", files, _log.Add);
    }

    private static readonly CgroupWrite[] Plan =
    [
        new("kubepods", "memory.min", "300"),
        new("kubepods/burstable", "memory.low", "200"),
        new("kubepods/burstable/podA", "memory.low", "100"),
        new("kubepods/burstable/podA", "memory.high", "4096"),
    ];

    [Fact]
    public void A_plan_is_written_in_order()
    {
        CgroupWriterResult result = Writer((_, _) => false, out KernelLikeFiles files).Apply(Plan);
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(4, result.Written);
        Assert.Equal(["kubepods/memory.min=300", "burstable/memory.low=200", "podA/memory.low=100", "podA/memory.high=4096"], files.Writes);
        Assert.Equal("300", _tree.Read("kubepods", "memory.min"));
        Assert.Equal("200", _tree.Read("kubepods/burstable", "memory.low"));
        Assert.Equal("4096", _tree.Read("kubepods/burstable/podA", "memory.high"));
        Assert.Empty(_log);
    }

    [Fact]
    public void The_public_writer_writes_real_files()
    {
        CgroupWriterResult result = new CgroupWriter(_tree.Root, "kubepods").Apply([new CgroupWrite("/kubepods/burstable/podA", "memory.max", "1048576")]);
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("1048576", _tree.Read("kubepods/burstable/podA", "memory.max"));
    }

    [Fact]
    public void A_vanished_cgroup_is_logged_and_skipped()
    {
        _tree.RemoveCgroup("kubepods/burstable/podA");
        CgroupWriterResult result = Writer((_, _) => false, out _).Apply(Plan);
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(2, result.Written);
        Assert.Equal(2, result.Skipped);
        Assert.Equal("200", _tree.Read("kubepods/burstable", "memory.low"));
        Assert.Equal(2, _log.Count);
        Assert.All(_log, line => Assert.StartsWith("cgroup kubepods/burstable/podA no longer exists: skipped", line, StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_tree.Root, "kubepods/burstable/podA")));
    }

    [Fact]
    public void Einval_is_reported_with_file_and_value_and_everything_written_is_rolled_back_in_reverse()
    {
        _tree.Set("kubepods/burstable", "memory.low", "50");
        CgroupWriterResult result = Writer((path, value) => path.EndsWith("memory.high", StringComparison.Ordinal) && value == "4096", out KernelLikeFiles files).Apply(Plan);
        Assert.False(result.Succeeded);
        string podHigh = Path.Join(_tree.Root, "kubepods/burstable/podA", "memory.high");
        Assert.Equal($"the kernel rejected \"4096\" for {podHigh} (EINVAL: invalid argument)", result.Error);
        Assert.Equal(
            ["kubepods/memory.min=300", "burstable/memory.low=200", "podA/memory.low=100", "podA/memory.high=4096",
             "podA/memory.low=0", "burstable/memory.low=50", "kubepods/memory.min=0"],
            files.Writes);
        Assert.Equal("0", _tree.Read("kubepods", "memory.min"));
        Assert.Equal("50", _tree.Read("kubepods/burstable", "memory.low"));
        Assert.Equal("0", _tree.Read("kubepods/burstable/podA", "memory.low"));
        Assert.Equal("max", _tree.Read("kubepods/burstable/podA", "memory.high"));
        Assert.Empty(result.RollbackProblems);
    }

    [Fact]
    public void A_missing_knob_fails_the_plan_and_is_never_created()
    {
        File.Delete(Path.Combine(_tree.Root, "kubepods/burstable/podA/memory.low"));
        CgroupWriterResult result = Writer((_, _) => false, out _).Apply(Plan);
        Assert.False(result.Succeeded);
        Assert.Contains("memory.low: the file does not exist", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_tree.Root, "kubepods/burstable/podA/memory.low")));
        Assert.Equal("0", _tree.Read("kubepods", "memory.min"));
        Assert.Equal("0", _tree.Read("kubepods/burstable", "memory.low"));
    }

    [Fact]
    public void A_value_that_cannot_be_restored_is_reported()
    {
        // The kernel refuses the new value for the pod and, later, the old value for the parent.
        CgroupWriterResult result = Writer((path, value) =>
            (path.EndsWith("podA/memory.low", StringComparison.Ordinal) && value == "100") ||
            (path.EndsWith("burstable/memory.low", StringComparison.Ordinal) && value == "0"), out _).Apply(Plan);
        Assert.False(result.Succeeded);
        string problem = Assert.Single(result.RollbackProblems);
        Assert.StartsWith("rollback: the kernel rejected \"0\" for ", problem, StringComparison.Ordinal);
        Assert.Equal("0", _tree.Read("kubepods", "memory.min"));
        Assert.Contains(problem, _log);
    }

    [Fact]
    public void A_memory_qos_plan_lands_on_the_tree()
    {
        var accounting = new MemoryQosAccounting(new MemoryQosOptions { ReservationPolicy = MemoryReservationPolicy.TieredReservation });
        var layout = new QosCgroupLayout(CgroupDriver.Cgroupfs);
        var writer = new CgroupWriter(_tree.Root, "kubepods", _log.Add);
        List<CgroupWrite> Resolve(List<PodCgroupWrite> plan) =>
            plan.Select(w => new CgroupWrite(layout.CgroupOf(w), w.MemoryFile!, w.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var upsert = new List<PodCgroupWrite>();
        accounting.UpsertPod("A", QosClass.Burstable, 1 << 20, upsert);
        Assert.True(writer.Apply(Resolve(upsert)).Succeeded);
        Assert.Equal("1048576", _tree.Read("kubepods", "memory.min"));
        Assert.Equal("1048576", _tree.Read("kubepods/burstable", "memory.low"));
        Assert.Equal("1048576", _tree.Read("kubepods/burstable/podA", "memory.low"));

        _tree.RemoveCgroup("kubepods/burstable/podA");
        var remove = new List<PodCgroupWrite>();
        accounting.RemovePod("A", remove);
        Assert.True(writer.Apply(Resolve(remove)).Succeeded);
        Assert.Equal("0", _tree.Read("kubepods", "memory.min"));
        Assert.Equal("0", _tree.Read("kubepods/burstable", "memory.low"));
    }
}
