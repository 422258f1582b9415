using System.Globalization;
using System.Text;
using ResMgrLite.Commands;

namespace ResMgrLite.Simulate;

/// <summary>The readable form of a <see cref="SimulationReport"/>: per pod and container, then the pools and the QoS-class cgroups.</summary>
internal static class SimulationText
{
    public static string Format(SimulationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        MachineSummary machine = report.Machine;
        text.Append(CultureInfo.InvariantCulture,
            $"Machine: {machine.Sockets} socket(s), {machine.NumaNodes} NUMA node(s), {machine.Cpus} CPUs, cgroups {machine.Cgroups} ({(machine.Source == "sysfs" ? "read from sysfs" : "captured with resmgrlite topology --json")})\n");
        ManagerSummary managers = report.Managers;
        text.Append(CultureInfo.InvariantCulture,
            $"Managers: topology manager {managers.TopologyManagerPolicy} ({managers.TopologyManagerScope} scope), CPU manager {managers.CpuManagerPolicy}, " +
            $"memory manager {managers.MemoryManagerPolicy}, Memory QoS {managers.MemoryQos}{(managers.MemoryQosOffReason is { } why ? $" ({why})" : "")}, " +
            $"pod-level resource managers {(managers.PodLevelResourceManagers ? "on" : "off")}\n");

        foreach (PodOutcome pod in report.Pods)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nPod {pod.Namespace}/{pod.Name} ({pod.Qos}{(pod.Managed ? "" : ", not managed: resmgrlite.io/opt-out")})\n");
            if (pod.Budget is { } budget)
            {
                text.Append("  pod budget:");
                if (budget.Cpus is not null)
                {
                    text.Append(CultureInfo.InvariantCulture, $" CPUs {budget.Cpus}, pod shared pool {Cpus(budget.SharedPool)}");
                }
                if (budget.MemoryNodes is not null)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{(budget.Cpus is null ? "" : ";")} memory {Bytes(budget.MemoryBytes ?? 0)} on NUMA node(s) {budget.MemoryNodes}");
                }
                text.Append('\n');
            }
            if (pod.MemoryQos is { } podQos && Qos(podQos) is { Length: > 0 } podKnobs)
            {
                text.Append(CultureInfo.InvariantCulture, $"  pod cgroup: {podKnobs}\n");
            }
            foreach (ContainerOutcome container in pod.Containers)
            {
                AppendContainer(text, container);
            }
            foreach (string note in pod.Notes)
            {
                text.Append(CultureInfo.InvariantCulture, $"  note: {note}\n");
            }
        }

        text.Append('\n');
        if (report.SharedPool is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"Node shared pool: {Cpus(report.SharedPool)} (reserved {Cpus(report.ReservedCpus)})\n");
        }
        else
        {
            text.Append("Node shared pool: not managed (CPU manager policy none): every container may use every CPU\n");
        }
        if (report.MemoryQos is { } parents)
        {
            text.Append(CultureInfo.InvariantCulture, $"Memory QoS ({parents.ReservationPolicy}): kubepods memory.min {Bytes(parents.KubepodsMemoryMin)}, kubepods/burstable memory.low {Bytes(parents.BurstableMemoryLow)}\n");
        }
        return text.ToString();
    }

    private static void AppendContainer(StringBuilder text, ContainerOutcome container)
    {
        text.Append(CultureInfo.InvariantCulture, $"  {container.Role} {container.Name}: ");
        switch (container.Outcome)
        {
            case "refused":
                text.Append(CultureInfo.InvariantCulture, $"REFUSED: {container.Refusal}\n");
                return;
            case "not-managed":
                text.Append("not managed\n");
                return;
        }
        text.Append(container.Cpus is null
            ? "CPUs not managed"
            : string.Create(CultureInfo.InvariantCulture, $"CPUs {container.Cpus} (NUMA {container.CpuNumaNodes}), isolation {container.Isolation}{(container.QuotaLifted ? ", CFS quota lifted" : "")}"));
        text.Append('\n');
        if (container.MemoryBlocks is { } blocks)
        {
            text.Append(CultureInfo.InvariantCulture, $"    memory: {blocks.Kind} blocks on NUMA node(s) {blocks.Nodes}: {Bytes(blocks.Memory)}");
            if (blocks.Hugepages2Mi > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $", hugepages-2Mi {Bytes(blocks.Hugepages2Mi)}");
            }
            if (blocks.Hugepages1Gi > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $", hugepages-1Gi {Bytes(blocks.Hugepages1Gi)}");
            }
            text.Append(CultureInfo.InvariantCulture, $"; cpuset.mems {container.Mems ?? "all"}\n");
        }
        if (container.MemoryQos is { } qos && Qos(qos) is { Length: > 0 } knobs)
        {
            text.Append(CultureInfo.InvariantCulture, $"    memory QoS: {knobs}\n");
        }
    }

    private static string Qos(MemoryQosOutcome qos)
    {
        var parts = new List<string>(4);
        Add(parts, "memory.min", qos.Min);
        Add(parts, "memory.low", qos.Low);
        Add(parts, "memory.high", qos.High);
        Add(parts, "memory.max", qos.Max);
        return string.Join(", ", parts);

        static void Add(List<string> parts, string file, long? value)
        {
            if (value is { } bytes)
            {
                parts.Add($"{file} {Bytes(bytes)}");
            }
        }
    }

    private static string Cpus(string? list) => string.IsNullOrEmpty(list) ? "none" : list;

    /// <summary>Exact bytes, and binary units beside them from 1 KiB on.</summary>
    private static string Bytes(long bytes) => bytes < 1024
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes}")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes} ({TopologyCommand.Bytes(bytes)})");
}
