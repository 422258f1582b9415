using System.Text;
using ResMgrLite.Engine;
using ResMgrLite.Observability.Inspection;
using ResMgrLite.Observability.Nrt;

namespace ResMgrLite.Commands;

/// <summary>
/// <c>resmgrlite nrt [--config FILE] [--state-dir DIR] [--node-name NAME]</c>: prints this node's
/// NodeResourceTopology (topology.node.k8s.io/v1alpha2) JSON, with what is available after the
/// allocations in the state file (read once, never written). <c>kubectl apply -f -</c> takes it.
/// </summary>
internal static class NrtCommand
{
    public static int Run(NodeInspection inspection, string? nodeName, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(inspection);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (inspection.Machine is null || inspection.Settings is null)
        {
            stderr.WriteLine($"resmgrlite nrt: {inspection.OffDetail}; {inspection.Advice}");
            return 1;
        }
        ResourceEngine? engine = inspection.Engine;
        if (engine is null)
        {
            // The state cannot be used: show capacity and allocatable, and say that availability is unknown.
            EngineStartResult started = Plugin.EngineFactory.Start(inspection.Machine, inspection.Settings);
            if (started.Engine is null)
            {
                stderr.WriteLine($"resmgrlite nrt: cannot start the resource managers: {string.Join("; ", started.Problems)}");
                return 1;
            }
            engine = started.Engine;
            stderr.WriteLine($"resmgrlite nrt: warning: {inspection.OffDetail}; 'available' shows no allocations. {inspection.Advice}");
        }
        string name = nodeName ?? (inspection.Settings.NrtNodeName.Length > 0 ? inspection.Settings.NrtNodeName : Observability.PluginObservability.HostName());
        byte[] document = NrtDocument.Build(name, engine, MachineModel.MemoryNodes(inspection.Machine), NrtDocument.ReservedMemory(inspection.Settings));
        stdout.WriteLine(Encoding.UTF8.GetString(document));
        return inspection.Engine is null ? 1 : 0;
    }
}
