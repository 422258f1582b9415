using System.Globalization;
using System.Text;
using ResMgrLite.Engine;

namespace ResMgrLite.TestSupport.Sysfs;

/// <summary>
/// Writes a <see cref="SysfsMachine"/> the way Linux lays it out under /sys/devices/system and
/// describes its cgroup mounts in proc/self/mountinfo.
/// </summary>
/// <remarks>
/// Offline CPUs keep their cpuN directory (with <c>online</c> = 0) and their node link, but lose
/// <c>topology</c> and <c>cache</c>, as the kernel removes those on hot-unplug.
/// </remarks>
internal static class SysfsTreeWriter
{
    internal static void Write(SysfsMachine machine, string sysfsRoot, string procRoot)
    {
        string cpuRoot = Path.Combine(sysfsRoot, "devices", "system", "cpu");
        Directory.CreateDirectory(cpuRoot);
        CpuSet all = CpuSet.Range(0, machine.Cpus.Length - 1);
        WriteFile(Path.Combine(cpuRoot, "possible"), all.ToString());
        WriteFile(Path.Combine(cpuRoot, "present"), all.ToString());
        WriteFile(Path.Combine(cpuRoot, "online"), machine.Online.ToString());
        WriteFile(Path.Combine(cpuRoot, "offline"), machine.Offline.ToString());
        WriteFile(Path.Combine(cpuRoot, "isolated"), machine.Isolated.ToString());
        WriteFile(Path.Combine(cpuRoot, "kernel_max"), (CpuSet.MaxCpus - 1).ToString(CultureInfo.InvariantCulture));

        foreach (FixtureCpu cpu in machine.Cpus)
        {
            WriteCpu(machine, cpuRoot, cpu);
        }

        if (machine.Settings.HasNumaDirectories)
        {
            WriteNodes(machine, Path.Combine(sysfsRoot, "devices", "system", "node"));
        }

        WriteCgroups(machine.Settings, sysfsRoot, procRoot);
    }

    private static void WriteCpu(SysfsMachine machine, string cpuRoot, FixtureCpu cpu)
    {
        string dir = Path.Combine(cpuRoot, Name("cpu", cpu.Cpu));
        Directory.CreateDirectory(dir);
        bool online = machine.Online.Contains(cpu.Cpu);
        WriteFile(Path.Combine(dir, "online"), online ? "1" : "0");
        if (!online)
        {
            return;
        }

        string topology = Path.Combine(dir, "topology");
        Directory.CreateDirectory(topology);
        CpuSet siblings = machine.CoreThreads(cpu.GlobalCore);
        WriteFile(Path.Combine(topology, "core_id"), Number(cpu.PhysicalCoreId));
        WriteFile(Path.Combine(topology, "physical_package_id"), Number(cpu.Socket));
        WriteFile(Path.Combine(topology, "die_id"), Number(machine.DieId(cpu)));
        if (machine.Settings.CoresPerCluster > 0)
        {
            WriteFile(Path.Combine(topology, "cluster_id"), Number(machine.ClusterId(cpu)));
        }
        WriteFile(Path.Combine(topology, "thread_siblings_list"), siblings.ToString());
        WriteFile(Path.Combine(topology, "core_cpus_list"), siblings.ToString());

        if (!machine.Settings.HasCaches)
        {
            return;
        }
        foreach (var (name, cache) in machine.Caches(cpu))
        {
            string cacheDir = Path.Combine(dir, "cache", name);
            Directory.CreateDirectory(cacheDir);
            WriteFile(Path.Combine(cacheDir, "level"), Number(cache.Level));
            WriteFile(Path.Combine(cacheDir, "type"), cache.Type);
            WriteFile(Path.Combine(cacheDir, "id"), Number(cache.Id));
            WriteFile(Path.Combine(cacheDir, "size"), Number(cache.SizeBytes / 1024) + "K");
            WriteFile(Path.Combine(cacheDir, "shared_cpu_map"), HexMask(cache.SharedCpus, machine.Cpus.Length));
            WriteFile(Path.Combine(cacheDir, "shared_cpu_list"), cache.SharedCpus.ToString());
        }
    }

    private static void WriteNodes(SysfsMachine machine, string nodeRoot)
    {
        Directory.CreateDirectory(nodeRoot);
        WriteFile(Path.Combine(nodeRoot, "online"), CpuSet.Range(0, machine.NumaNodeCount - 1).ToString());
        WriteFile(Path.Combine(nodeRoot, "possible"), CpuSet.Range(0, machine.NumaNodeCount - 1).ToString());
        for (int node = 0; node < machine.NumaNodeCount; node++)
        {
            string dir = Path.Combine(nodeRoot, Name("node", node));
            Directory.CreateDirectory(dir);
            CpuSet cpus = machine.NodeCpus(node);
            foreach (int cpu in cpus)
            {
                // The kernel links nodeN/cpuM to ../../cpu/cpuM; cAdvisor globs these links.
                Directory.CreateSymbolicLink(Path.Combine(dir, Name("cpu", cpu)), Path.Combine("..", "..", "cpu", Name("cpu", cpu)));
            }
            WriteFile(Path.Combine(dir, "cpulist"), cpus.ToString());

            var distances = Enumerable.Range(0, machine.NumaNodeCount).Select(to => Number(machine.Distance(node, to)));
            WriteFile(Path.Combine(dir, "distance"), string.Join(' ', distances));

            long total = machine.Settings.MemoryTotalKiB, free = machine.Settings.MemoryFreeKiB;
            WriteFile(Path.Combine(dir, "meminfo"), string.Create(CultureInfo.InvariantCulture,
                $"Node {node} MemTotal:       {total} kB\nNode {node} MemFree:        {free} kB\nNode {node} MemUsed:        {total - free} kB\n"));

            foreach (var (pageSizeKiB, nr, freePages) in machine.Settings.HugePages)
            {
                string pool = Path.Combine(dir, "hugepages", "hugepages-" + Number(pageSizeKiB) + "kB");
                Directory.CreateDirectory(pool);
                WriteFile(Path.Combine(pool, "nr_hugepages"), Number(nr));
                WriteFile(Path.Combine(pool, "free_hugepages"), Number(freePages));
                WriteFile(Path.Combine(pool, "surplus_hugepages"), "0");
            }
        }
    }

    private static readonly string[] V1Controllers = ["cpu,cpuacct", "cpuset", "memory", "pids", "hugetlb"];

    private static void WriteCgroups(SysfsMachineSettings settings, string sysfsRoot, string procRoot)
    {
        if (settings.Cgroups == CgroupLayout.NoMountInfo)
        {
            return;
        }
        var lines = new StringBuilder();
        lines.Append("22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n");
        lines.Append("23 22 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n");
        int id = 30;
        string controllersFile = "";
        switch (settings.Cgroups)
        {
            case CgroupLayout.Unified:
                lines.Append(CultureInfo.InvariantCulture, $"{id} 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n");
                controllersFile = Path.Combine(sysfsRoot, "fs", "cgroup", "cgroup.controllers");
                break;
            case CgroupLayout.Hybrid:
            case CgroupLayout.Legacy:
                lines.Append(CultureInfo.InvariantCulture, $"{id++} 23 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755\n");
                foreach (string controllers in V1Controllers)
                {
                    string mountPoint = "/sys/fs/cgroup/" + controllers;
                    lines.Append(CultureInfo.InvariantCulture, $"{id++} {30} 0:{id} / {mountPoint} rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,{controllers}\n");
                }
                lines.Append(CultureInfo.InvariantCulture, $"{id++} 30 0:{id} / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n");
                if (settings.Cgroups == CgroupLayout.Hybrid)
                {
                    lines.Append(CultureInfo.InvariantCulture, $"{id} 30 0:{id} / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n");
                    controllersFile = Path.Combine(sysfsRoot, "fs", "cgroup", "unified", "cgroup.controllers");
                }
                break;
        }
        string selfDir = Path.Combine(procRoot, "self");
        Directory.CreateDirectory(selfDir);
        WriteFile(Path.Combine(selfDir, "mountinfo"), lines.ToString());
        if (controllersFile.Length > 0)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(controllersFile)!);
            // On a hybrid host every controller is bound to v1, so the v2 root lists none.
            string content = settings.Cgroups == CgroupLayout.Hybrid ? "" : string.Join(' ', settings.UnifiedControllers);
            WriteFile(controllersFile, content);
        }
    }

    /// <summary>The kernel's hex mask format: 32-bit words, most significant first, comma separated.</summary>
    public static string HexMask(in CpuSet cpus, int cpuCount)
    {
        int words = Math.Max(1, (cpuCount + 31) / 32);
        var parts = new string[words];
        for (int word = 0; word < words; word++)
        {
            uint bits = 0;
            for (int bit = 0; bit < 32; bit++)
            {
                if (cpus.Contains(word * 32 + bit))
                {
                    bits |= 1u << bit;
                }
            }
            parts[words - 1 - word] = bits.ToString("x8", CultureInfo.InvariantCulture);
        }
        return string.Join(',', parts);
    }

    private static string Name(string prefix, int id) => prefix + Number(id);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void WriteFile(string path, string content) => File.WriteAllText(path, content + "\n");
}
