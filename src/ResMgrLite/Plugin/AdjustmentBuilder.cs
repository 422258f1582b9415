using ResMgrLite.Engine;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.PodLevel;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>
/// The one place that turns the engine's <see cref="ContainerSettings"/> into NRI: cpuset cpus and
/// mems, the CFS quota, hugepage limits and the cgroup v2 <c>unified</c> memory knobs, for the
/// CreateContainer adjustment, for updates that restate a container (UpdateContainer, Synchronize)
/// and for the cpuset updates of containers whose pool changed. Every cpuset it hands out is
/// recorded in the <see cref="CpusetLedger"/>: acknowledged when it goes with the container's own
/// CRI call (the runtime applies it or fails the call), unconfirmed otherwise.
/// </summary>
internal sealed class AdjustmentBuilder(CpusetLedger ledger)
{
    /// <summary>hugetlb page sizes as the kubelet names them in CRI (runc's hugetlb file names).</summary>
    private const string PageSize2Mi = "2MB";
    private const string PageSize1Gi = "1GB";

    /// <summary>
    /// Most answers carry a pool's cpuset: formatted once per pool, one string shared by the answers
    /// and the ledger. Not thread-safe: every caller holds the handler's lock.
    /// </summary>
    private readonly CpusetTexts _texts = new();

    public CpusetLedger Ledger => ledger;

    /// <summary>The CreateContainer adjustment of a newly admitted container.</summary>
    public ContainerAdjustment Adjustment(string containerId, in ContainerSettings settings) => new()
    {
        Linux = new LinuxContainerAdjustment { Resources = Resources(containerId, settings, withItsOwnCall: true) },
    };

    /// <summary>
    /// An update that restates everything the engine decided for the container;
    /// <paramref name="withItsOwnCall"/> when it answers the container's own UpdateContainer.
    /// </summary>
    public ContainerUpdate Restatement(string containerId, in ContainerSettings settings, bool withItsOwnCall = false) => new()
    {
        ContainerId = containerId,
        Linux = new LinuxContainerUpdate { Resources = Resources(containerId, settings, withItsOwnCall) },
    };

    /// <summary>
    /// Updates for the containers whose pool changed with a decision, leaving out those already on the
    /// new set and never handing out an empty cpuset.
    /// </summary>
    public void AddPoolUpdates(EngineEffects effects, List<ContainerUpdate> updates)
    {
        string? nodePool = null, podPool = null;
        foreach (CpusetChange change in effects.OtherContainers)
        {
            CpuSet cpus = effects.CpusOf(change);
            if (cpus.IsEmpty)
            {
                continue;
            }
            string text = change.Pool == CpuPool.Node ? nodePool ??= cpus.ToString() : podPool ??= cpus.ToString();
            if (!ledger.Holds(change.ContainerId, text))
            {
                updates.Add(CpusetUpdate(change.ContainerId, text));
            }
        }
    }

    /// <summary>An update of the cpuset alone (the rest of the container is unchanged).</summary>
    public ContainerUpdate CpusetUpdate(string containerId, string cpus)
    {
        ledger.RecordUnconfirmed(containerId, cpus);
        return new ContainerUpdate
        {
            ContainerId = containerId,
            Linux = new LinuxContainerUpdate { Resources = new LinuxResources { Cpu = new LinuxCPU { Cpus = cpus } } },
        };
    }

    private LinuxResources Resources(string containerId, in ContainerSettings settings, bool withItsOwnCall)
    {
        var cpu = new LinuxCPU();
        var resources = new LinuxResources { Cpu = cpu };
        if (settings.ManagesCpu)
        {
            cpu.Cpus = _texts.Of(settings.Cpus);
            if (withItsOwnCall)
            {
                ledger.RecordAcknowledged(containerId, cpu.Cpus);
            }
            else
            {
                ledger.RecordUnconfirmed(containerId, cpu.Cpus);
            }
            if (settings.LiftsQuota)
            {
                cpu.Quota = new OptionalInt64 { Value = CpuQuotaRule.NoQuota };
            }
        }
        if (settings.ManagesMemory)
        {
            if (settings.Mems != 0)
            {
                cpu.Mems = NumaNodeList.Format(settings.Mems);
            }
            if (settings.Hugepages2MiLimitBytes > 0)
            {
                resources.HugepageLimits.Add(new HugepageLimit { PageSize = PageSize2Mi, Limit = (ulong)settings.Hugepages2MiLimitBytes });
            }
            if (settings.Hugepages1GiLimitBytes > 0)
            {
                resources.HugepageLimits.Add(new HugepageLimit { PageSize = PageSize1Gi, Limit = (ulong)settings.Hugepages1GiLimitBytes });
            }
        }
        foreach (KeyValuePair<string, string> file in settings.MemoryQos.Files())
        {
            resources.Unified.Set(file.Key, file.Value);
        }
        return resources;
    }
}
