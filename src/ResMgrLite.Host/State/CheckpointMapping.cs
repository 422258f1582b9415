using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.Resize;
using ResMgrLite.Engine.State;

namespace ResMgrLite.Host.State;

/// <summary>
/// Between the engine's <see cref="EngineSnapshot"/> and the payload's JSON shape. Reading checks
/// what the JSON types cannot: cpulists, assignment kinds, roles and QoS classes, each reported with
/// its place (<c>containers[3].kind: …</c>).
/// </summary>
internal static class CheckpointMapping
{
    public static CheckpointPayload ToPayload(EngineSnapshot s) => new()
    {
        CpuPolicy = s.CpuPolicy,
        ReservedCpus = s.ReservedCpus.ToString(),
        DefaultCpus = s.DefaultCpus.ToString(),
        Containers = [.. s.Containers.Select(c => new CpuContainerJson
        {
            PodUid = c.PodUid, Name = c.ContainerName, Id = c.ContainerId, Kind = KindName(c.Kind),
            Eligible = c.Eligible, Role = RoleName(c.Role), Cpus = c.Cpus.ToString(),
        })],
        Pods = [.. s.Pods.Select(p => new CpuPodJson
        {
            PodUid = p.PodUid, Budget = p.Bubble.ToString(), SidecarCpus = p.SidecarCpus.ToString(), SharedPool = p.SharedPool.ToString(), Containers = p.Containers,
        })],
        PodHints = [.. s.PodHints.Select(h => new PodHintJson { PodUid = h.PodUid, NumaMask = h.NumaMask, Preferred = h.Preferred })],
        CpuReuse = s.CpuReuse is { } reuse ? new CpuReuseJson { PodUid = reuse.PodUid, Cpus = reuse.Cpus.ToString() } : null,
        Memory = s.Memory is { } memory ? new MemoryJson
        {
            Containers = [.. memory.Containers.Select(c => new MemoryContainerJson
            {
                PodUid = c.PodUid, Name = c.ContainerName, Id = c.ContainerId, Kind = (int)c.Kind, Role = RoleName(c.Role),
                NumaMask = c.NumaMask, Blocks = Amounts(c.Blocks), Resources = c.Resources,
            })],
            Pods = [.. memory.Pods.Select(p => new MemoryPodJson
            {
                PodUid = p.PodUid, NumaMask = p.NumaMask, Totals = Amounts(p.Totals), Sidecar = Amounts(p.SidecarMemory),
                AppExclusive = Amounts(p.AppExclusive), Containers = p.Containers,
            })],
            Reuse = memory.Reuse is { } memoryReuse ? new MemoryReuseJson
            {
                PodUid = memoryReuse.PodUid,
                Amounts = [.. memoryReuse.Amounts.Select(a => new MemoryReuseAmountJson { NumaMask = a.NumaMask, Amounts = Amounts(a.Amounts) })],
            } : null,
        } : null,
        MemoryQos = s.MemoryQos is { } qos ? new MemoryQosJson
        {
            Pods = [.. qos.Pods.Select(p => new MemoryQosPodJson { PodUid = p.PodUid, Qos = QosName(p.Qos), RequestBytes = p.RequestBytes })],
        } : null,
        Resizes = s.Resizes.Count == 0 ? null : [.. s.Resizes.Select(r => new PodResizeJson
        {
            PodUid = r.PodUid, Desired = Budget(r.Desired), InForce = Budget(r.InForce), Outcome = ResizeOutcomes.Name(r.Outcome), Reason = r.Reason,
        })],
    };

    /// <summary>The snapshot a payload describes; throws <see cref="FormatException"/> naming the place of a bad value.</summary>
    public static EngineSnapshot ToSnapshot(CheckpointPayload p) => new()
    {
        CpuPolicy = p.CpuPolicy,
        ReservedCpus = Cpus(p.ReservedCpus, "payload.reservedCpus"),
        DefaultCpus = Cpus(p.DefaultCpus, "payload.defaultCpus"),
        Containers = [.. p.Containers.Select((c, i) => new ContainerCpuSnapshot(
            c.PodUid, c.Name, c.Id, ParseKind(c.Kind, $"containers[{i}].kind"), c.Eligible, ParseRole(c.Role, $"containers[{i}].role"), Cpus(c.Cpus, $"containers[{i}].cpus")))],
        Pods = [.. p.Pods.Select((pod, i) => new PodCpuSnapshot(
            pod.PodUid, Cpus(pod.Budget, $"pods[{i}].budget"), Cpus(pod.SidecarCpus, $"pods[{i}].sidecarCpus"), Cpus(pod.SharedPool, $"pods[{i}].sharedPool"), pod.Containers))],
        PodHints = [.. p.PodHints.Select(h => new PodHintSnapshot(h.PodUid, h.NumaMask, h.Preferred))],
        CpuReuse = p.CpuReuse is { } reuse ? new CpuReuseSnapshot(reuse.PodUid, Cpus(reuse.Cpus, "cpuReuse.cpus")) : null,
        Memory = p.Memory is { } memory ? new MemorySnapshot
        {
            Containers = [.. memory.Containers.Select((c, i) => new ContainerMemorySnapshot(
                c.PodUid, c.Name, c.Id, ParseMemoryKind(c.Kind, $"memory.containers[{i}].kind"), ParseRole(c.Role, $"memory.containers[{i}].role"),
                c.NumaMask, Amounts(c.Blocks), c.Resources))],
            Pods = [.. memory.Pods.Select(pod => new PodMemorySnapshot(
                pod.PodUid, pod.NumaMask, Amounts(pod.Totals), Amounts(pod.Sidecar), Amounts(pod.AppExclusive), pod.Containers))],
            Reuse = memory.Reuse is { } memoryReuse
                ? new MemoryReuseSnapshot(memoryReuse.PodUid, [.. memoryReuse.Amounts.Select(a => new MemoryReuseAmount(a.NumaMask, Amounts(a.Amounts)))])
                : null,
        } : null,
        MemoryQos = p.MemoryQos is { } qos ? new MemoryQosSnapshot
        {
            Pods = [.. qos.Pods.Select((pod, i) => new PodMemoryQosSnapshot(pod.PodUid, ParseQos(pod.Qos, $"memoryQos.pods[{i}].qos"), pod.RequestBytes))],
        } : null,
        Resizes = p.Resizes is { } resizes
            ? [.. resizes.Select((r, i) => new PodResizeSnapshot(
                r.PodUid, Budget(r.Desired, $"resizes[{i}].desired"), Budget(r.InForce, $"resizes[{i}].inForce"), ParseOutcome(r.Outcome, $"resizes[{i}].outcome"), r.Reason))]
            : [],
    };

    private static BudgetJson Budget(in ContainerResources b) =>
        new() { CpuRequestMilli = b.CpuRequestMilli, CpuLimitMilli = b.CpuLimitMilli, MemoryRequestBytes = b.MemoryRequestBytes, MemoryLimitBytes = b.MemoryLimitBytes };

    private static ContainerResources Budget(BudgetJson b, string at) =>
        b.CpuRequestMilli < 0 || b.CpuLimitMilli < 0 || b.MemoryRequestBytes < 0 || b.MemoryLimitBytes < 0
            ? throw new FormatException($"{at}: a negative amount (CPU millicores and memory bytes are 0 or more)")
            : new ContainerResources(b.CpuRequestMilli, b.CpuLimitMilli, b.MemoryRequestBytes, b.MemoryLimitBytes);

    private static ResizeOutcome ParseOutcome(string text, string at) =>
        ResizeOutcomes.TryParse(text, out ResizeOutcome outcome)
            ? outcome
            : throw new FormatException($"{at}: \"{text}\" is not one of unchanged, applied, deferred, infeasible");

    private static AmountsJson Amounts(in MemoryAmounts a) => new() { Memory = a.Memory, Hugepages2Mi = a.Hugepages2Mi, Hugepages1Gi = a.Hugepages1Gi };

    private static MemoryAmounts Amounts(AmountsJson a) => new(a.Memory, a.Hugepages2Mi, a.Hugepages1Gi);

    private static CpuSet Cpus(string text, string at) =>
        CpuSet.TryParse(text, out CpuSet set, out CpuListError error)
            ? set
            : throw new FormatException($"{at}: \"{text}\" is not a CPU list ({error})");

    private static string KindName(CpuAssignmentKind kind) => kind switch
    {
        CpuAssignmentKind.NodeShared => "nodeShared",
        CpuAssignmentKind.Exclusive => "exclusive",
        CpuAssignmentKind.PodInitPool => "podInitPool",
        CpuAssignmentKind.PodShared => "podShared",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static CpuAssignmentKind ParseKind(string text, string at) => text switch
    {
        "nodeShared" => CpuAssignmentKind.NodeShared,
        "exclusive" => CpuAssignmentKind.Exclusive,
        "podInitPool" => CpuAssignmentKind.PodInitPool,
        "podShared" => CpuAssignmentKind.PodShared,
        _ => throw new FormatException($"{at}: \"{text}\" is not one of nodeShared, exclusive, podInitPool, podShared"),
    };

    private static MemoryAssignmentKind ParseMemoryKind(int kind, string at) =>
        kind is >= 0 and <= (int)MemoryAssignmentKind.PodShared
            ? (MemoryAssignmentKind)kind
            : throw new FormatException($"{at}: {kind} is not a memory assignment kind");

    private static string RoleName(ContainerRole role) => role switch
    {
        ContainerRole.App => "app",
        ContainerRole.Init => "init",
        ContainerRole.Sidecar => "sidecar",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    private static ContainerRole ParseRole(string text, string at) => text switch
    {
        "app" => ContainerRole.App,
        "init" => ContainerRole.Init,
        "sidecar" => ContainerRole.Sidecar,
        _ => throw new FormatException($"{at}: \"{text}\" is not one of app, init, sidecar"),
    };

    private static string QosName(QosClass qos) => qos switch
    {
        QosClass.Guaranteed => "guaranteed",
        QosClass.Burstable => "burstable",
        _ => "besteffort",
    };

    private static QosClass ParseQos(string text, string at) => text switch
    {
        "guaranteed" => QosClass.Guaranteed,
        "burstable" => QosClass.Burstable,
        "besteffort" => QosClass.BestEffort,
        _ => throw new FormatException($"{at}: \"{text}\" is not one of guaranteed, burstable, besteffort"),
    };
}
