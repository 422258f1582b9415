using ResMgrLite.Engine;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.PodLevel;

namespace ResMgrLite.Observability;

/// <summary>Told about every admission the engine was asked for (see <see cref="AdmissionMetrics"/>).</summary>
internal interface IAdmissionObserver
{
    /// <param name="error">Null when admitted; otherwise the engine's refusal.</param>
    void OnAdmission(ResourceEngine engine, PodSpec pod, ContainerSpec container, in ContainerDecision decision, string? error, TimeSpan elapsed);
}

/// <summary>
/// Turns one admission into the kubelet's resource-manager counters, the way the kubelet counts
/// them: the Topology Manager counts every admission (NRI delivers containers, so per container)
/// and its refusals; the CPU manager counts a pinning request for every container that needs
/// exclusive CPUs (<c>guaranteedCPUs</c> &gt; 0) and an error when it refuses one; the Memory
/// Manager counts a pinning request for every container whose memory it pins to NUMA nodes and an
/// error when it refuses one. The KEP-5526 counters split the same allocations by source (a pod
/// budget or the node) and count assignments by type. A refusal is the refusing manager's: the
/// engine plans every manager before it commits any, so the others allocated nothing.
/// A retried admission of a container the engine already holds (same id) is not counted again.
/// </summary>
internal sealed class AdmissionMetrics(PluginMetrics metrics) : IAdmissionObserver
{
    // The engine names the refusing manager first in its error (ResourceEngine.TryAdmitContainer).
    private const string CpuManagerRefusal = "CPU manager";
    private const string MemoryManagerRefusal = "Memory manager";

    public void OnAdmission(ResourceEngine engine, PodSpec pod, ContainerSpec container, in ContainerDecision decision, string? error, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        if (error is null && !decision.StateChanged)
        {
            return;
        }
        metrics.OnTopologyAdmission(elapsed.TotalMilliseconds, admitted: error is null);
        if (error is not null)
        {
            if (error.StartsWith(CpuManagerRefusal, StringComparison.Ordinal) && engine.Cpu is { } refusingCpu)
            {
                metrics.OnCpuAllocation(CpuSource(refusingCpu.Options.PodLevelResourceManagers, pod), succeeded: false);
            }
            else if (error.StartsWith(MemoryManagerRefusal, StringComparison.Ordinal) && engine.Memory is { } refusingMemory)
            {
                metrics.OnMemoryAllocation(refusingMemory.UsesPodBudget(pod) ? AllocationSource.Pod : AllocationSource.Node, succeeded: false);
            }
            return;
        }
        if (engine.Cpu is { } cpu && decision.Settings.ManagesCpu)
        {
            AllocationSource source = CpuSource(cpu.Options.PodLevelResourceManagers, pod);
            if (decision.Settings.Level == ResourceIsolationLevel.Container)
            {
                metrics.OnCpuAllocation(source, succeeded: true);
                metrics.OnContainerAssignment(ManagedResource.Cpu, source == AllocationSource.Pod ? AssignmentType.PodExclusive : AssignmentType.NodeExclusive);
            }
            else if (decision.Settings.Level == ResourceIsolationLevel.Pod)
            {
                metrics.OnContainerAssignment(ManagedResource.Cpu, AssignmentType.PodShared);
            }
        }
        if (engine.Memory is { } memory)
        {
            bool fromBudget = memory.UsesPodBudget(pod);
            switch (decision.Memory.Kind)
            {
                case MemoryAssignmentKind.Exclusive:
                    metrics.OnMemoryAllocation(fromBudget ? AllocationSource.Pod : AllocationSource.Node, succeeded: true);
                    metrics.OnContainerAssignment(ManagedResource.Memory, fromBudget ? AssignmentType.PodExclusive : AssignmentType.NodeExclusive);
                    break;
                case MemoryAssignmentKind.PodShared or MemoryAssignmentKind.PodInitPool:
                    metrics.OnContainerAssignment(ManagedResource.Memory, AssignmentType.PodShared);
                    break;
            }
        }
    }

    /// <summary>A pod with a pod-level CPU budget (KEP-5526) takes its containers' exclusive CPUs from it.</summary>
    private static AllocationSource CpuSource(bool podLevelManagers, PodSpec pod) =>
        podLevelManagers && pod.HasPodLevelResources && pod.Qos == QosClass.Guaranteed && pod.PodLevel is { HasIntegralCpuRequest: true }
            ? AllocationSource.Pod
            : AllocationSource.Node;
}
