using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.TopologyManagement;

namespace ResMgrLite.Observability.Nrt;

/// <summary>
/// This node as a <c>NodeResourceTopology</c> (topology.node.k8s.io/v1alpha2), the object the
/// scheduler-plugins NodeResourceTopologyMatch plugin filters and scores nodes with:
/// <list type="bullet">
/// <item>top-level <c>attributes</c> <c>topologyManagerPolicy</c> (<c>none</c>, <c>best-effort</c>,
/// <c>restricted</c>, <c>single-numa-node</c>), <c>topologyManagerScope</c> (<c>container</c>,
/// <c>pod</c>) and <c>topologyManagerMaxNUMANodes</c> (decimal), spelt as the kubelet's
/// configuration spells them, which is what the plugin compares against;</item>
/// <item>one zone per NUMA node, named <c>node-N</c> (the plugin parses the NUMA id from that
/// name), type <c>Node</c>, with the NUMA distances as <c>costs</c> and the resources <c>cpu</c>,
/// <c>memory</c>, <c>hugepages-2Mi</c>, <c>hugepages-1Gi</c> (when the node has them), each with
/// capacity, allocatable (minus reserved CPUs and reserved memory) and available (minus what
/// containers hold exclusively).</item>
/// </list>
/// CPU counts are whole CPUs and memory is bytes, both as integers (the CRD takes int-or-string).
/// </summary>
internal static class NrtDocument
{
    public const string ApiVersion = "topology.node.k8s.io/v1alpha2";
    public const string Kind = "NodeResourceTopology";

    /// <param name="nodeName">The Kubernetes node name (<c>metadata.name</c>).</param>
    /// <param name="engine">The running engine (read under the caller's lock; nothing is changed).</param>
    /// <param name="memoryNodes">Memory per NUMA node, for capacity when the Memory Manager is off.</param>
    /// <param name="reservedMemory">Reserved memory per NUMA node (kubelet reservedMemory), for allocatable when the Memory Manager is off.</param>
    public static byte[] Build(string nodeName, ResourceEngine engine, IReadOnlyList<NumaMemoryInfo> memoryNodes, IReadOnlyList<ReservedMemoryNode> reservedMemory)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion", ApiVersion);
            json.WriteString("kind", Kind);
            json.WriteStartObject("metadata");
            json.WriteString("name", nodeName);
            json.WriteEndObject();
            json.WriteStartArray("attributes");
            Attribute(json, "topologyManagerPolicy", TopologyManagerOptions.PolicyName(engine.TopologyManager.Policy));
            Attribute(json, "topologyManagerScope", engine.TopologyManager.Scope == TopologyScope.Pod ? "pod" : "container");
            Attribute(json, "topologyManagerMaxNUMANodes", engine.TopologyManager.MaxAllowableNumaNodes.ToString(CultureInfo.InvariantCulture));
            json.WriteEndArray();
            // Deprecated in v1alpha2 and read by the plugin only when the attributes are missing; kept empty.
            json.WriteStartArray("topologyPolicies");
            json.WriteEndArray();
            json.WriteStartArray("zones");
            foreach (int node in engine.Topology.NumaNodeIds)
            {
                Zone(json, engine, node, memoryNodes, reservedMemory);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The configured reservedMemory per NUMA node (allocatable memory when the Memory Manager is off).</summary>
    public static IReadOnlyList<ReservedMemoryNode> ReservedMemory(Config.Settings.ResMgrSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.MemoryManager.ReservedMemory;
    }

    /// <summary>The zone name the scheduler plugin maps back to a NUMA id.</summary>
    public static string ZoneName(int numaNode) => "node-" + numaNode.ToString(CultureInfo.InvariantCulture);

    private static void Zone(Utf8JsonWriter json, ResourceEngine engine, int node, IReadOnlyList<NumaMemoryInfo> memoryNodes, IReadOnlyList<ReservedMemoryNode> reservedMemory)
    {
        json.WriteStartObject();
        json.WriteString("name", ZoneName(node));
        json.WriteString("type", "Node");
        if (engine.Topology.HasDistances)
        {
            json.WriteStartArray("costs");
            foreach (int other in engine.Topology.NumaNodeIds)
            {
                json.WriteStartObject();
                json.WriteString("name", ZoneName(other));
                json.WriteNumber("value", engine.Topology.Distance(node, other));
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteStartArray("resources");
        CpuSet zoneCpus = engine.Topology.CpusOfNumaNode(node);
        int capacity = zoneCpus.Count;
        int allocatable = engine.Cpu is { } cpu ? zoneCpus.Intersect(cpu.Allocatable).Count : capacity;
        int available = engine.Cpu is { } policy ? zoneCpus.Intersect(policy.AvailableForExclusive).Count : capacity;
        Resource(json, "cpu", capacity, allocatable, available);
        NumaMemoryInfo? memory = null;
        foreach (NumaMemoryInfo candidate in memoryNodes)
        {
            if (candidate.NodeId == node)
            {
                memory = candidate;
                break;
            }
        }
        foreach (MemoryResource resource in (ReadOnlySpan<MemoryResource>)[MemoryResource.Memory, MemoryResource.Hugepages2Mi, MemoryResource.Hugepages1Gi])
        {
            long total = memory is null ? 0 : resource switch
            {
                MemoryResource.Memory => memory.MemTotalBytes,
                MemoryResource.Hugepages2Mi => memory.HugePageBytes(MemoryResources.PageSize2MiKiB),
                _ => memory.HugePageBytes(MemoryResources.PageSize1GiKiB),
            };
            if (engine.Memory is { } pinned && pinned.State.IndexOf(node) is int index and >= 0)
            {
                MemoryTable table = pinned.State.Table(index, resource);
                if (table.Total > 0 || resource == MemoryResource.Memory)
                {
                    Resource(json, MemoryResources.NameOf(resource), table.Total, table.Allocatable, table.Free);
                }
            }
            else if (total > 0 || resource == MemoryResource.Memory)
            {
                long reserved = 0;
                foreach (ReservedMemoryNode r in reservedMemory)
                {
                    if (r.NumaNode == node)
                    {
                        reserved += r.Limits[resource];
                    }
                }
                long usable = Math.Max(0, total - reserved);
                Resource(json, MemoryResources.NameOf(resource), total, usable, usable);
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Attribute(Utf8JsonWriter json, string name, string value)
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteString("value", value);
        json.WriteEndObject();
    }

    private static void Resource(Utf8JsonWriter json, string name, long capacity, long allocatable, long available)
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteNumber("capacity", capacity);
        json.WriteNumber("allocatable", allocatable);
        json.WriteNumber("available", Math.Max(0, available));
        json.WriteEndObject();
    }
}
