using System.Globalization;
using ResMgrLite.Config.Settings;
using ResMgrLite.Engine;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Host.Cgroups;
using ResMgrLite.Nri;

namespace ResMgrLite.Plugin;

/// <summary>
/// Applies the engine's pod- and QoS-level cgroup plans on this host through
/// <see cref="CgroupWriter"/>: the pod quota lift (cgroup v2 <c>cpu.max</c> or the v1 cpu
/// hierarchy's <c>cpu.cfs_quota_us</c>) and the Memory QoS pod and parent knobs (cgroup v2).
/// </summary>
/// <remarks>
/// The engine commits its accounting with the decision; when a write fails here the parents' files
/// no longer match it, so the next plan is preceded by a full resync of both parents.
/// </remarks>
/// <param name="quotaWriter">Writes the pod quota (null: this host has no cpu controller).</param>
/// <param name="quotaFile">The quota's file in that hierarchy, and <paramref name="quotaOff"/> its value for "no quota".</param>
internal sealed class PodCgroupEffects(PluginLog log, QosCgroupLayout layout, CgroupWriter? memoryWriter, CgroupWriter? quotaWriter, string quotaFile, string quotaOff)
{
    private readonly HashSet<string> _podsWithoutQuota = new(StringComparer.Ordinal);
    private readonly List<PodCgroupWrite> _resync = new(2);
    private bool _parentsUnknown;

    /// <summary>How the kubelet names QoS-class and pod cgroups on this node.</summary>
    public QosCgroupLayout Layout { get; } = layout;

    /// <param name="memoryQos">Memory QoS is on: its writes go to the configured cgroup v2 mount.</param>
    /// <param name="sysfsRoot">The sysfs root the mounts are read against (tests use synthetic trees).</param>
    public static PodCgroupEffects Create(CgroupSituation cgroups, ResMgrSettings settings, bool memoryQos, string sysfsRoot, PluginLog log)
    {
        void Warn(string message) => log.Write(ProtocolLogLevel.Warning, message);
        var layout = new QosCgroupLayout(settings.CgroupDriver, settings.CgroupRoot.Trim('/'));
        // Every writer is contained to the kubepods tree: pod cgroup paths may come from the runtime.
        CgroupWriter? memoryWriter = memoryQos ? new CgroupWriter(settings.CgroupMountPath, layout.Root, Warn) : null;
        if (cgroups.Mode == CgroupMode.Unified && cgroups.UnifiedMountPoint is { } unified)
        {
            return new PodCgroupEffects(log, layout, memoryWriter, new CgroupWriter(CgroupDetector.MapToRoots(unified, sysfsRoot), layout.Root, Warn), "cpu.max", "max");
        }
        if (cgroups.V1HierarchyWith("cpu") is { } cpu)
        {
            return new PodCgroupEffects(log, layout, memoryWriter, new CgroupWriter(CgroupDetector.MapToRoots(cpu.MountPoint, sysfsRoot), layout.Root, Warn), "cpu.cfs_quota_us", "-1");
        }
        Warn("no cgroup cpu controller found: pod cgroup quotas of pods with exclusive CPUs stay as the kubelet set them");
        return new PodCgroupEffects(log, layout, memoryWriter, null, "", "");
    }

    /// <summary>
    /// Applies <paramref name="plan"/> in order. <paramref name="podCgroupOf"/> gives a pod's cgroup as
    /// the runtime named it (null: the layout's name); <paramref name="what"/> names the pod or the
    /// occasion in log lines.
    /// </summary>
    public void Apply(ResourceEngine engine, IReadOnlyList<PodCgroupWrite> plan, Func<string, string?> podCgroupOf, string what)
    {
        if (plan.Count == 0 && !_parentsUnknown)
        {
            return;
        }
        var memory = new List<CgroupWrite>(plan.Count + 2);
        bool resync = _parentsUnknown && memoryWriter is not null;
        if (resync)
        {
            _resync.Clear();
            engine.PlanQosParentsResync(_resync);
            foreach (PodCgroupWrite write in _resync)
            {
                memory.Add(new CgroupWrite(Layout.CgroupOf(write), write.MemoryFile!, Format(write.Value)));
            }
        }
        foreach (PodCgroupWrite write in plan)
        {
            string cgroup = Layout.CgroupOf(write, write.Target == PodCgroupTarget.Pod ? podCgroupOf(write.PodUid) : null);
            if (write.Knob == PodCgroupKnob.CpuQuota)
            {
                LiftQuota(write.PodUid, cgroup, what);
            }
            else if (memoryWriter is not null)
            {
                memory.Add(new CgroupWrite(cgroup, write.MemoryFile!, Format(write.Value)));
            }
        }
        if (memory.Count == 0 || memoryWriter is null)
        {
            return;
        }
        CgroupWriterResult result = memoryWriter.Apply(memory, $"memory QoS {what}");
        if (result.Succeeded)
        {
            _parentsUnknown = false;
            return;
        }
        _parentsUnknown = true;
        log.Write(ProtocolLogLevel.Error, $"memory QoS {what}: {result.Error}");
    }

    /// <summary>
    /// Writes a resized pod's cgroup limits (<see cref="PodCgroupKnob.CpuLimit"/> as a quota at
    /// <paramref name="periodMicros"/>, <c>memory.max</c>, <c>memory.high</c>) in order, all or
    /// nothing, through the writer of the cpu hierarchy (memory files need cgroup v2, where it is the
    /// unified one). Returns the error, or null.
    /// </summary>
    public string? ApplyLimits(IReadOnlyList<PodCgroupWrite> limits, string? podCgroup, ulong periodMicros, string what)
    {
        if (limits.Count == 0)
        {
            return null;
        }
        if (quotaWriter is null)
        {
            return "no cgroup cpu controller was found, so the pod cgroup limits cannot be written";
        }
        bool unified = quotaFile == "cpu.max";
        var writes = new List<CgroupWrite>(limits.Count);
        foreach (PodCgroupWrite write in limits)
        {
            string cgroup = Layout.CgroupOf(write, podCgroup);
            if (write.Knob == PodCgroupKnob.CpuLimit)
            {
                // The kubelet's MilliCPUToQuota: milli · period / 1000, at least 1 ms.
                long quota = Math.Max(1000, write.Value * (long)periodMicros / 1000);
                string period = periodMicros.ToString(CultureInfo.InvariantCulture);
                writes.Add(new CgroupWrite(cgroup, quotaFile, unified ? $"{Format(quota)} {period}" : Format(quota)));
            }
            else if (unified)
            {
                writes.Add(new CgroupWrite(cgroup, write.MemoryFile!, write.Value == 0 ? "max" : Format(write.Value)));
            }
            else
            {
                log.Write(ProtocolLogLevel.Warning, $"{what}: {write.MemoryFile} is not written on cgroup v1 (pod-level resize needs cgroup v2)");
            }
        }
        CgroupWriterResult result = quotaWriter.Apply(writes, what);
        return result.Succeeded ? null : result.Error;
    }

    /// <summary>Writes both QoS parents from the engine's accounting (start-up: what the files hold is unknown).</summary>
    public void ResyncParents(ResourceEngine engine)
    {
        _parentsUnknown = engine.MemoryQosAccounting is not null;
        Apply(engine, [], _ => null, "resync");
    }

    /// <summary>The plan that belonged to an admission was never applied (the admission was undone): resync before the next one.</summary>
    public void MarkParentsUnknown() => _parentsUnknown = memoryWriter is not null;

    /// <summary>
    /// Whether a cgroup exists in the hierarchy that holds the pod cgroups' CPU quota, under the
    /// writers' containment; <see cref="CgroupPresence.Unknown"/> when the path is refused or
    /// unreadable, or when this host has no cpu controller.
    /// </summary>
    public CgroupPresence Probe(string cgroup, string? subject = null) =>
        quotaWriter?.Probe(cgroup, subject) ?? CgroupPresence.Unknown;

    /// <summary>A pod is gone: a pod with the same UID would need its quota lifted again.</summary>
    public void ForgetPod(string podUid) => _podsWithoutQuota.Remove(podUid);

    private void LiftQuota(string podUid, string cgroup, string what)
    {
        if (quotaWriter is null || !_podsWithoutQuota.Add(podUid))
        {
            return;
        }
        CgroupWriterResult result = quotaWriter.Apply([new CgroupWrite(cgroup, quotaFile, quotaOff)], what);
        if (!result.Succeeded)
        {
            _podsWithoutQuota.Remove(podUid);
            log.Write(ProtocolLogLevel.Warning, $"{what}: could not lift the pod cgroup CFS quota: {result.Error}");
        }
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
