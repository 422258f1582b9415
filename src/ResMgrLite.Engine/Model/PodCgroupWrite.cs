namespace ResMgrLite.Engine.Model;

/// <summary>Which kubelet cgroup a planned write goes to.</summary>
internal enum PodCgroupTarget : byte
{
    /// <summary>The kubepods root: the parent of Guaranteed pods and of the burstable and besteffort cgroups.</summary>
    KubepodsRoot,

    /// <summary>The burstable QoS-class cgroup.</summary>
    BurstableParent,

    /// <summary>One pod's cgroup (<see cref="PodCgroupWrite.PodUid"/>, <see cref="PodCgroupWrite.Qos"/>).</summary>
    Pod,
}

/// <summary>The cgroup file a planned write sets.</summary>
internal enum PodCgroupKnob : byte
{
    /// <summary>cgroup v2 <c>memory.min</c>, bytes.</summary>
    MemoryMin,

    /// <summary>cgroup v2 <c>memory.low</c>, bytes.</summary>
    MemoryLow,

    /// <summary>The CFS quota (v2 <c>cpu.max</c>, v1 <c>cpu.cfs_quota_us</c>); the only value planned is -1, no quota.</summary>
    CpuQuota,

    /// <summary>A resized pod's CPU limit in millicores (0: none); the plugin turns it into a quota at the runtime's period.</summary>
    CpuLimit,

    /// <summary>A resized pod's cgroup v2 <c>memory.max</c>, bytes (0: <c>max</c>).</summary>
    MemoryMax,

    /// <summary>A resized pod's cgroup v2 <c>memory.high</c>, bytes (0: <c>max</c>).</summary>
    MemoryHigh,
}

/// <summary>
/// One write to a pod or QoS-class cgroup as the engine plans it: structured, so planning allocates
/// nothing; the plugin names the file and the cgroup for the host it runs on and applies the plan
/// in order (a parent is raised before its children and lowered after them).
/// </summary>
internal readonly record struct PodCgroupWrite(PodCgroupTarget Target, PodCgroupKnob Knob, long Value, string PodUid = "", QosClass Qos = QosClass.BestEffort)
{
    /// <summary>The cgroup v2 memory file of a memory knob; null for the CPU quota, whose file depends on the host's cgroup version.</summary>
    public string? MemoryFile => Knob switch
    {
        PodCgroupKnob.MemoryMin => "memory.min",
        PodCgroupKnob.MemoryLow => "memory.low",
        PodCgroupKnob.MemoryMax => "memory.max",
        PodCgroupKnob.MemoryHigh => "memory.high",
        _ => null,
    };

    public override string ToString() => $"{(Target == PodCgroupTarget.Pod ? "pod " + PodUid : Target.ToString())} {Knob} = {Value}";
}
