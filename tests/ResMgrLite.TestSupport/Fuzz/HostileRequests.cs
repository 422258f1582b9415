using System.Globalization;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.TestSupport.Fuzz;

/// <summary>
/// Seeded generator of CreateContainer requests the way an attacker or a broken client would send
/// them: cgroup parents and pod UIDs that climb out of the kubepods tree, annotations with
/// malformed and enormous quantities, and every numeric field of the container's resources drawn
/// from the value classes where arithmetic breaks (0, 1, max, max−1, 2^k±1, negative), mixed with
/// the values the kubelet really sends so that admission paths are reached too.
/// </summary>
internal sealed class HostileRequests(int seed)
{
    private readonly Random _random = new(seed);
    private int _serial;

    private static readonly string[] ParentPieces =
    [
        "kubepods", "burstable", "besteffort", "..", ".", "", "system.slice", "x.service", "kubepods.slice",
        "kubepods-burstable.slice", "outside", "sys", "fs", "cgroup", "%2e%2e", "pod\u0000x", "pod\nx", new string('p', 300),
    ];

    private static readonly string[] QuantitySuffixes = ["", "m", "k", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "E", "e18", "e-3", "x"];

    /// <summary>A uint64 from one of the breaking value classes, or a kubelet-like value.</summary>
    public ulong ULong() => _random.Next(8) switch
    {
        0 => 0,
        1 => 1,
        2 => ulong.MaxValue,
        3 => ulong.MaxValue - 1,
        4 => unchecked((1UL << _random.Next(64)) + (ulong)(_random.Next(3) - 1)),
        5 => (ulong)_random.NextInt64(),
        _ => (ulong)_random.Next(2, 262_145),
    };

    /// <summary>An int64 from the breaking classes (negative ones included), or a kubelet-like value.</summary>
    public long Long() => _random.Next(9) switch
    {
        0 => 0,
        1 => 1,
        2 => long.MaxValue,
        3 => long.MaxValue - 1,
        4 => long.MinValue,
        5 => -1,
        6 => unchecked((long)(1UL << _random.Next(64)) + (_random.Next(3) - 1)) * (_random.Next(2) == 0 ? 1 : -1),
        7 => _random.NextInt64(long.MinValue, long.MaxValue),
        _ => _random.Next(1000, 800_000),
    };

    public string Quantity() => _random.Next(6) switch
    {
        0 => ULong().ToString(CultureInfo.InvariantCulture) + Pick(QuantitySuffixes),
        1 => Long().ToString(CultureInfo.InvariantCulture) + Pick(QuantitySuffixes),
        2 => "79228162514264337593543950335" + Pick(QuantitySuffixes),
        3 => _random.Next(0, 65).ToString(CultureInfo.InvariantCulture) + "." + _random.Next(0, 1000).ToString(CultureInfo.InvariantCulture) + Pick(QuantitySuffixes),
        4 => new string('9', _random.Next(1, 400)),
        _ => _random.Next(1, 9).ToString(CultureInfo.InvariantCulture) + Pick(["", "Gi", "Mi", "500m"]),
    };

    /// <summary>A pod UID: mostly plain, sometimes a path.</summary>
    public string Uid() => _random.Next(6) switch
    {
        0 => "../../system.slice/x.service",
        1 => "x/../../../outside",
        2 => "",
        _ => $"uid-{_serial++}",
    };

    /// <summary>A cgroup parent: the kubelet's own forms for the UID, or pieces that climb and wander.</summary>
    public string CgroupParent(string uid) => _random.Next(6) switch
    {
        0 => $"/kubepods/pod{uid}",
        1 => $"/kubepods/burstable/pod{uid}",
        2 => $"kubepods-besteffort-pod{uid.Replace('-', '_')}.slice",
        _ => (_random.Next(2) == 0 ? "/" : "") + string.Join('/', Enumerable.Range(0, _random.Next(1, 8)).Select(_ => Pick(ParentPieces))),
    };

    public CreateContainerRequest Next()
    {
        string uid = Uid();
        var pod = new PodSandbox
        {
            Id = $"sandbox-{_serial++}",
            Uid = uid,
            Name = "fuzz",
            Namespace = "default",
            Linux = new LinuxPodSandbox { CgroupParent = CgroupParent(uid) },
        };
        if (_random.Next(5) == 0)
        {
            pod.Annotations.Set("resmgrlite.io/pod-resources", Pick(["cpu", "memory", "requests.cpu", "limits.cpu", "requests.memory", "limits.memory", "gpu"]) + "=" + Quantity()
                + (_random.Next(2) == 0 ? "," + Pick(["cpu", "memory", "limits.cpu"]) + "=" + Quantity() : ""));
        }
        if (_random.Next(4) == 0)
        {
            pod.Annotations.Set("resmgrlite.io/memory-request", $"app={Quantity()}");
        }
        if (_random.Next(6) == 0)
        {
            pod.Annotations.Set("resmgrlite.io/container-roles", $"app={Pick(["init", "sidecar", "app", "bogus", ""])}");
        }
        LinuxResources resources = _random.Next(2) == 0 ? KubeletShaped() : Numbers();
        var container = new Container
        {
            Id = $"ctr-{_serial++}",
            PodSandboxId = pod.Id,
            Name = Pick(["app", "sidecar", "init", ""]),
            Linux = new LinuxContainer { Resources = resources, CgroupsPath = pod.Linux.CgroupParent + "/ctr" },
        };
        if (_random.Next(2) == 0)
        {
            container.Linux.OomScoreAdj = new OptionalInt { Value = _random.Next(3) switch { 0 => -997, 1 => _random.Next(-1000, 1001), _ => Long() } };
        }
        return new CreateContainerRequest { Pod = pod, Container = container };
    }

    /// <summary>Resources as the kubelet computes them for whole or fractional CPUs, so admissions (and pod cgroup writes) happen.</summary>
    private LinuxResources KubeletShaped()
    {
        long milli = _random.Next(2) == 0 ? _random.Next(1, 4) * 1000 : _random.Next(1, 3000);
        var cpu = new LinuxCPU
        {
            Shares = new OptionalUInt64 { Value = (ulong)Math.Clamp(milli * 1024 / 1000, 2, 262_144) },
            Period = new OptionalUInt64 { Value = 100_000 },
            Quota = new OptionalInt64 { Value = Math.Max(1000, milli * 100) },
        };
        var resources = new LinuxResources { Cpu = cpu, Memory = new LinuxMemory { Limit = new OptionalInt64 { Value = _random.Next(1, 64) << 24 } } };
        resources.HugepageLimits.Add(new HugepageLimit { PageSize = "2MB", Limit = (ulong)_random.Next(0, 3) << 21 });
        return resources;
    }

    /// <summary>Every numeric field present or absent, drawn from the breaking value classes.</summary>
    private LinuxResources Numbers()
    {
        var cpu = new LinuxCPU();
        if (_random.Next(5) != 0)
        {
            cpu.Shares = new OptionalUInt64 { Value = ULong() };
        }
        if (_random.Next(3) != 0)
        {
            cpu.Quota = new OptionalInt64 { Value = Long() };
        }
        if (_random.Next(3) != 0)
        {
            cpu.Period = new OptionalUInt64 { Value = _random.Next(2) == 0 ? 100_000 : ULong() };
        }
        var resources = new LinuxResources { Cpu = cpu };
        if (_random.Next(3) != 0)
        {
            resources.Memory = new LinuxMemory { Limit = new OptionalInt64 { Value = Long() } };
        }
        if (_random.Next(4) == 0)
        {
            resources.HugepageLimits.Add(new HugepageLimit { PageSize = Pick(["2MB", "1GB", "64KB", ""]), Limit = ULong() });
        }
        return resources;
    }

    public int Next(int maxExclusive) => _random.Next(maxExclusive);

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}
