using ResMgrLite.Engine;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.PodLevel;
using ResMgrLite.Engine.Topology;

namespace ResMgrLite.Simulate;

/// <summary>
/// Runs pods through a started engine the way the plugin meets them: one CreateContainer at a
/// time, in the kubelet's start order, a pod's model growing with each admitted container and a
/// refused container left out (ResourceManagement.TryAdmit does the same). Then reads what every
/// container holds once all pods are in: a shared-pool container's cpuset shrinks as later
/// containers take exclusive CPUs.
/// </summary>
internal static class Simulation
{
    public static List<PodOutcome> Run(ResourceEngine engine, MachineTopology machine, IReadOnlyList<SimulatedPod> pods)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(pods);
        var placed = new List<(SimulatedPod Pod, PodSpec Spec, Dictionary<string, string> Refusals)>(pods.Count);
        foreach (SimulatedPod pod in pods)
        {
            var spec = new PodSpec(pod.Uid, pod.Name, pod.Namespace, pod.Qos, pod.PodLevel);
            var refusals = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!pod.OptedOut)
            {
                foreach (ContainerSpec container in pod.Containers)
                {
                    spec.Containers.Add(container);
                    if (!engine.TryAdmitContainer(spec, container, $"{pod.Uid}/{container.Name}", out _, out string? error))
                    {
                        spec.Containers.Remove(container);
                        refusals[container.Name] = error ?? "refused";
                    }
                }
            }
            placed.Add((pod, spec, refusals));
        }
        var outcomes = new List<PodOutcome>(placed.Count);
        foreach (var p in placed)
        {
            outcomes.Add(Outcome(engine, machine, p.Pod, p.Spec, p.Refusals));
        }
        return outcomes;
    }

    /// <summary>The QoS-class cgroups once every pod is in; null when Memory QoS is off.</summary>
    public static QosParentOutcome? Parents(ResourceEngine engine) => engine.MemoryQos is { } options && engine.MemoryQosAccounting is { } accounting
        ? new QosParentOutcome
        {
            ReservationPolicy = options.ReservationPolicy.ToString(),
            KubepodsMemoryMin = accounting.Parents.RootMemoryMin,
            BurstableMemoryLow = accounting.Parents.BurstableMemoryLow,
        }
        : null;

    private static PodOutcome Outcome(ResourceEngine engine, MachineTopology machine, SimulatedPod pod, PodSpec spec, Dictionary<string, string> refusals)
    {
        var containers = new List<ContainerOutcome>(pod.Containers.Count);
        foreach (ContainerSpec container in pod.Containers)
        {
            string role = container.Role switch
            {
                ContainerRole.Init => "init",
                ContainerRole.Sidecar => "sidecar",
                _ => "app",
            };
            if (pod.OptedOut || refusals.ContainsKey(container.Name))
            {
                containers.Add(new ContainerOutcome
                {
                    Name = container.Name,
                    Role = role,
                    Outcome = pod.OptedOut ? "not-managed" : "refused",
                    Refusal = refusals.GetValueOrDefault(container.Name),
                });
                continue;
            }
            containers.Add(Admitted(engine, machine, spec, container, role));
        }
        MemoryQosOutcome? podQos = null;
        if (engine.MemoryQos is { } options && engine.MemoryQosAccounting is { } accounting && accounting.Pods.TryGetValue(pod.Uid, out var request))
        {
            podQos = Qos(MemoryQosCalculator.ForPod(request.Qos, request.RequestBytes, options));
        }
        PodBudgetOutcome? budget = Budget(engine, pod.Uid);
        List<string> notes = [.. pod.Notes];
        if (budget is null && pod.PodLevel is { HasAny: true } && !pod.OptedOut && (engine.Cpu is not null || engine.Memory is not null))
        {
            notes.Add("the pod-level budget does not steer placement here: KEP-5526 needs topology manager scope pod and the PodLevelResourceManagers feature gate; the containers were placed one by one");
        }
        return new PodOutcome
        {
            Namespace = pod.Namespace,
            Name = pod.Name,
            Uid = pod.Uid,
            Qos = pod.Qos.ToString(),
            Managed = !pod.OptedOut,
            Notes = notes,
            Budget = budget,
            MemoryQos = podQos,
            Containers = containers,
        };
    }

    private static ContainerOutcome Admitted(ResourceEngine engine, MachineTopology machine, PodSpec pod, ContainerSpec container, string role)
    {
        ContainerSettings settings = engine.SettingsOf(pod, container);
        MemoryBlocksOutcome? blocks = null;
        // The engine's own description: a pod-shared member is shown the pod's shared remainder.
        if (engine.Memory is { } memory && memory.TryDescribe(new ContainerKey(pod.Uid, container.Name), container, out MemoryDecision described)
            && described.Kind != MemoryAssignmentKind.None)
        {
            blocks = new MemoryBlocksOutcome
            {
                Kind = described.Kind switch
                {
                    MemoryAssignmentKind.PodInitPool => "pod-init-pool",
                    MemoryAssignmentKind.PodShared => "pod-shared",
                    _ => "exclusive",
                },
                Nodes = NumaNodeList.Format(described.Mems),
                Memory = described.Blocks.Memory,
                Hugepages2Mi = described.Blocks.Hugepages2Mi,
                Hugepages1Gi = described.Blocks.Hugepages1Gi,
            };
        }
        return new ContainerOutcome
        {
            Name = container.Name,
            Role = role,
            Outcome = "admitted",
            Cpus = settings.ManagesCpu ? settings.Cpus.ToString() : null,
            Isolation = settings.ManagesCpu ? Isolation(settings.Level) : null,
            QuotaLifted = settings.LiftsQuota,
            CpuNumaNodes = settings.ManagesCpu ? NumaNodesOf(machine, settings.Cpus) : null,
            Mems = settings.ManagesMemory && settings.Mems != 0 ? NumaNodeList.Format(settings.Mems) : null,
            MemoryBlocks = blocks,
            MemoryQos = engine.MemoryQos is null ? null : Qos(settings.MemoryQos),
        };
    }

    private static PodBudgetOutcome? Budget(ResourceEngine engine, string podUid)
    {
        bool cpu = engine.Cpu is { } cpuPolicy && cpuPolicy.Pods.TryGetValue(podUid, out var cpuBudget) && !cpuBudget.Bubble.IsEmpty;
        bool memory = engine.Memory is { } memoryPolicy && memoryPolicy.Pods.TryGetValue(podUid, out _);
        if (!cpu && !memory)
        {
            return null;
        }
        var cpus = cpu ? engine.Cpu!.Pods[podUid] : default;
        PodMemoryEntry memoryBudget = memory ? engine.Memory!.Pods[podUid] : default;
        return new PodBudgetOutcome
        {
            Cpus = cpu ? cpus.Bubble.ToString() : null,
            SharedPool = cpu ? cpus.SharedPool.ToString() : null,
            MemoryNodes = memory ? NumaNodeList.Format(memoryBudget.Mask) : null,
            MemoryBytes = memory ? memoryBudget.Totals.Memory : null,
        };
    }

    private static string Isolation(ResourceIsolationLevel level) => level switch
    {
        ResourceIsolationLevel.Container => "container",
        ResourceIsolationLevel.Pod => "pod",
        _ => "host",
    };

    private static string NumaNodesOf(MachineTopology machine, CpuSet cpus)
    {
        ulong nodes = 0;
        foreach (NumaNodeInfo node in machine.NumaNodes)
        {
            if (node.Cpus.Overlaps(cpus) && (uint)node.Id < 64)
            {
                nodes |= 1UL << node.Id;
            }
        }
        return NumaNodeList.Format(nodes);
    }

    private static MemoryQosOutcome Qos(MemoryQosValues values) => new() { Min = values.Min, Low = values.Low, High = values.High, Max = values.Max };
}
