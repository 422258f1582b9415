using System.Security.Cryptography;
using CsCheck;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Host.Cgroups;
using ResMgrLite.TestSupport.HostFiles;

namespace ResMgrLite.Host.Tests.Cgroups;

/// <summary>
/// The writer on a sandbox: a temporary directory holds a fake cgroup mount and, beside it, decoy
/// cgroups with knob files. Whatever path the runtime sends, the decoys stay byte-identical.
/// </summary>
public sealed class CgroupContainmentTests : IDisposable
{
    private readonly string _sandbox = Directory.CreateTempSubdirectory("resmgrlite-containment-").FullName;
    private readonly string _mount;
    private readonly List<string> _log = [];
    private readonly Dictionary<string, byte[]> _decoys = new(StringComparer.Ordinal);

    public CgroupContainmentTests()
    {
        _mount = Path.Combine(_sandbox, "cgroup");
        foreach (string cgroup in (string[])["kubepods/burstable/podA", "kubepods/podG", "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podS.slice"])
        {
            Knobs(Path.Combine(_mount, cgroup));
        }
        // Decoys: a sibling slice inside the mount and a directory outside it.
        Decoy(Path.Combine(_mount, "system.slice", "x.service"));
        Decoy(Path.Combine(_sandbox, "outside"));
        Decoy(Path.Combine(_sandbox, "etc"));
    }

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    private static void Knobs(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "cpu.max"), "200000 100000\n");
        File.WriteAllText(Path.Combine(directory, "memory.min"), "0\n");
    }

    private void Decoy(string directory)
    {
        Knobs(directory);
        foreach (string file in Directory.GetFiles(directory))
        {
            _decoys[file] = File.ReadAllBytes(file);
        }
    }

    private void AssertDecoysUntouched()
    {
        foreach ((string file, byte[] bytes) in _decoys)
        {
            Assert.True(File.Exists(file), file);
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(File.ReadAllBytes(file)));
        }
    }

    private CgroupWriter Writer(string kubepods = "kubepods") => new(_mount, kubepods, _log.Add);

    private static CgroupWrite[] Lift(string cgroup) => [new CgroupWrite(cgroup, "cpu.max", "max")];

    [Theory]
    [InlineData("/kubepods/../system.slice/x.service")]
    [InlineData("/kubepods/burstable/../../system.slice/x.service")]
    [InlineData("../outside")]
    [InlineData("/kubepods/../../outside")]
    [InlineData("/kubepods/burstable/podA/../../../../etc")]
    [InlineData("/system.slice/x.service")]
    [InlineData("system.slice/x.service")]
    public void Traversal_and_sibling_paths_are_refused_and_logged_with_the_pod(string cgroup)
    {
        CgroupWriterResult result = Writer().Apply(Lift(cgroup), "pod default/evil");
        Assert.False(result.Succeeded);
        Assert.Contains("refused to write cpu.max", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("pod default/evil: refused to write cpu.max = max in cgroup", Assert.Single(_log), StringComparison.Ordinal);
        AssertDecoysUntouched();
    }

    [Fact]
    public void An_absolute_host_path_is_refused_even_when_it_names_the_mount()
    {
        CgroupWriterResult result = Writer().Apply(Lift(Path.Combine(_mount, "kubepods", "podG")), "pod default/abs");
        Assert.False(result.Succeeded);
        Assert.Contains("outside the kubelet's cgroup tree kubepods", result.Error, StringComparison.Ordinal);
        Assert.Equal("200000 100000\n", File.ReadAllText(Path.Combine(_mount, "kubepods", "podG", "cpu.max")));
    }

    [Fact]
    public void A_plan_with_one_refused_path_writes_nothing()
    {
        CgroupWrite[] plan = [new("kubepods/podG", "memory.min", "4096"), new("kubepods/../system.slice/x.service", "memory.min", "4096")];
        Assert.False(Writer().Apply(plan).Succeeded);
        Assert.Equal("0\n", File.ReadAllText(Path.Combine(_mount, "kubepods", "podG", "memory.min")));
        AssertDecoysUntouched();
    }

    [Fact]
    public void A_symlinked_pod_directory_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_mount, "kubepods", "burstable", "podL"), Path.Combine(_sandbox, "outside"));
        CgroupWriterResult result = Writer().Apply(Lift("/kubepods/burstable/podL"), "pod default/linked");
        Assert.False(result.Succeeded);
        Assert.Contains("podL: is a symbolic link", result.Error, StringComparison.Ordinal);
        AssertDecoysUntouched();
    }

    [Fact]
    public void A_symlinked_directory_higher_up_is_refused()
    {
        Directory.Delete(Path.Combine(_mount, "kubepods", "burstable"), recursive: true);
        Directory.CreateSymbolicLink(Path.Combine(_mount, "kubepods", "burstable"), Path.Combine(_sandbox, "etc"));
        Knobs(Path.Combine(_sandbox, "etc", "podA"));
        _decoys[Path.Combine(_sandbox, "etc", "podA", "cpu.max")] = File.ReadAllBytes(Path.Combine(_sandbox, "etc", "podA", "cpu.max"));
        Assert.False(Writer().Apply(Lift("/kubepods/burstable/podA")).Succeeded);
        AssertDecoysUntouched();
    }

    [Fact]
    public void A_symlinked_kubepods_root_is_refused()
    {
        string mount = Path.Combine(_sandbox, "mount2");
        Directory.CreateDirectory(mount);
        Directory.CreateSymbolicLink(Path.Combine(mount, "kubepods"), Path.Combine(_sandbox, "outside"));
        Assert.False(new CgroupWriter(mount, "kubepods", _log.Add).Apply(Lift("/kubepods")).Succeeded);
        AssertDecoysUntouched();
    }

    [Fact]
    public void A_symlinked_knob_file_is_refused()
    {
        string knob = Path.Combine(_mount, "kubepods", "podG", "cpu.max");
        File.Delete(knob);
        File.CreateSymbolicLink(knob, Path.Combine(_sandbox, "outside", "cpu.max"));
        CgroupWriterResult result = Writer().Apply(Lift("/kubepods/podG"));
        Assert.False(result.Succeeded);
        Assert.Contains("is a symbolic link", result.Error, StringComparison.Ordinal);
        AssertDecoysUntouched();
    }

    [Fact]
    public async Task A_fifo_knob_is_refused_at_once()
    {
        string knob = Path.Combine(_mount, "kubepods", "podG", "cpu.max");
        File.Delete(knob);
        SpecialFiles.CreateFifo(knob);
        CgroupWriterResult result = await Task.Run(() => Writer().Apply(Lift("/kubepods/podG"))).WaitAsync(TimeSpan.FromSeconds(1));
        Assert.False(result.Succeeded);
        Assert.Contains("named pipe", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_systemd_slice_forms_are_written()
    {
        const string pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podS.slice";
        Assert.True(Writer("kubepods.slice").Apply(Lift(pod)).Succeeded);
        Assert.Equal("max", File.ReadAllText(Path.Combine(_mount, pod.TrimStart('/'), "cpu.max")));
        Assert.False(Writer("kubepods.slice").Apply(Lift("/system.slice/x.service")).Succeeded);
        Assert.False(Writer("kubepods.slice").Apply(Lift("/kubepods/podG")).Succeeded);
        AssertDecoysUntouched();
    }

    [Fact]
    public void Probe_tells_present_gone_and_refused_apart()
    {
        Directory.CreateSymbolicLink(Path.Combine(_mount, "kubepods", "podL"), Path.Combine(_sandbox, "outside"));
        CgroupWriter writer = Writer();
        Assert.Equal(CgroupPresence.Present, writer.Probe("kubepods/podG"));
        Assert.Equal(CgroupPresence.Gone, writer.Probe("kubepods/podX"));
        Assert.Equal(CgroupPresence.Gone, writer.Probe("kubepods/podX/deeper"));
        Assert.Equal(CgroupPresence.Unknown, writer.Probe("kubepods/podL"));
        Assert.Equal(CgroupPresence.Unknown, writer.Probe("kubepods/../system.slice/x.service", "pod default/p"));
        Assert.Contains(_log, line => line.StartsWith("pod default/p: refused to look at cgroup", StringComparison.Ordinal));
    }

    /// <summary>Random paths from hostile pieces: each is either written inside the mount's kubepods tree or refused; no decoy ever changes.</summary>
    [Fact]
    public void No_generated_path_writes_outside_the_kubepods_tree()
    {
        Directory.CreateSymbolicLink(Path.Combine(_mount, "kubepods", "burstable", "podL"), Path.Combine(_sandbox, "outside"));
        Directory.CreateSymbolicLink(Path.Combine(_mount, "kubepods", "up"), "..");
        string[] pieces = ["kubepods", "burstable", "podA", "podG", "podL", "up", "..", ".", "", "system.slice", "x.service", "outside", "etc", _sandbox.TrimStart('/'), "cgroup", "kubepods.slice"];
        Gen<string> paths = Gen.Int[0, pieces.Length - 1].Array[1, 8].Select(ix => (ix.Length % 2 == 0 ? "/" : "") + string.Join('/', ix.Select(i => pieces[i])));
        CgroupWriter writer = Writer();
        paths.Sample(path =>
        {
            CgroupWriterResult result = writer.Apply(Lift(path));
            if (result.Succeeded && result.Written == 1)
            {
                Assert.True(writer.Guard.TryCanonicalize(path, out string canonical, out _));
                Assert.Equal("max", File.ReadAllText(Path.Combine(_mount, canonical, "cpu.max")));
                File.WriteAllText(Path.Combine(_mount, canonical, "cpu.max"), "200000 100000\n");
            }
            AssertDecoysUntouched();
        }, iter: 2000);
    }
}
