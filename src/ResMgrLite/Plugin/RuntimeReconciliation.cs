using ResMgrLite.Engine;
using ResMgrLite.Engine.Model;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>Brings the state in line with what the runtime really runs: Synchronize, and the stale-state pass.</summary>
internal static class RuntimeReconciliation
{
    /// <summary>
    /// Reconciles with the runtime's real containers (docs/state.md, "Synchronize"): entries of
    /// containers the runtime no longer has are released, survivors keep their resources, containers
    /// without an entry are admitted and told everything, and every container whose real cpuset
    /// differs from its allocation gets an update (shared containers off exclusive CPUs).
    /// </summary>
    public static List<ContainerUpdate> Synchronize(ResourceManagement m, IReadOnlyList<PodSandbox> pods, IReadOnlyList<Container> containers, PluginLog log)
    {
        var sandboxes = pods.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var present = containers.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var presentPods = sandboxes.Values.Select(p => p.Uid).ToHashSet(StringComparer.Ordinal);
        m.Pods.KeepOnly(present, presentPods);
        int departed = 0;
        foreach ((ContainerKey key, string id) in m.Engine.ListContainers().Where(c => !present.Contains(c.ContainerId)))
        {
            m.Engine.ReleaseContainer(key, id);
            m.Ledger.Forget(id);
            departed++;
            log.Write(ProtocolLogLevel.Info, $"reconcile: the runtime no longer has container {key.Name} of pod {key.PodUid} ({id}); its resources are released");
        }
        foreach (string podUid in m.Engine.ListPods().Where(uid => !presentPods.Contains(uid)))
        {
            m.ReleasePod(podUid, $"pod {podUid}", updates: null);
        }

        // Survivors first, in a stable order, so new admissions cannot take their resources.
        var updates = new List<ContainerUpdate>();
        var known = m.Engine.ListContainers().Select(c => c.ContainerId).ToHashSet(StringComparer.Ordinal);
        var restated = new HashSet<string>(StringComparer.Ordinal);
        foreach (Container container in containers
                     .Where(c => c.State != ContainerState.ContainerStopped && sandboxes.ContainsKey(c.PodSandboxId))
                     .OrderBy(c => known.Contains(c.Id) ? 0 : 1).ThenBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal))
        {
            PodSandbox sandbox = sandboxes[container.PodSandboxId];
            if (NriModelMapper.IsOptedOut(sandbox))
            {
                continue;
            }
            if (!m.TryAdmit(sandbox, container, out TrackedPod? tracked, out ContainerDecision decision, out string? error))
            {
                log.Write(ProtocolLogLevel.Warning, $"synchronize: existing container {sandbox.Namespace}/{sandbox.Name}/{container.Name} ({container.Id}) keeps its resources: {error}");
                continue;
            }
            m.PodCgroups.Apply(m.Engine, decision.Effects.PodCgroupWrites, _ => tracked.CgroupPath, $"pod {tracked}");
            // What the container really runs on now; unknown (empty) forces an update.
            m.Ledger.Record(container.Id, CpuSet.TryParse(container.Linux?.Resources?.Cpu?.Cpus ?? "", out CpuSet actual) ? actual.ToString() : "");
            if (!known.Contains(container.Id) && !decision.Settings.IsEmpty)
            {
                // Never told anything by this plugin: everything it decided.
                updates.Add(m.Adjustments.Restatement(container.Id, decision.Settings));
                restated.Add(container.Id);
            }
        }
        m.AddCpusetCorrections(updates, restated);
        m.State.PersistIfChanged(m.Engine);
        m.Allocations.Publish(new AllocationChange(AllocationChangeKind.Synchronized), m.Engine);
        log.Write(ProtocolLogLevel.Info, $"reconciled with the runtime: {departed} departed container entries released, {updates.Count} update(s)");
        return updates;
    }

    /// <summary>One stale-state pass (<see cref="StaleStateReconciler"/>); returns the updates for the containers whose pool widened.</summary>
    public static List<ContainerUpdate> ReleaseStalePods(ResourceManagement m, PluginLog log)
    {
        var updates = new List<ContainerUpdate>();
        List<string> departed = m.Reconciler.FindDeparted(m.Engine, m.Pods.SeenPodUids());
        foreach (string podUid in departed)
        {
            m.ReleasePod(podUid, $"pod {podUid}", updates: null);
            log.Write(ProtocolLogLevel.Info, $"reconcile: pod {podUid} from the state file has no cgroup any more; its resources are released");
        }
        if (departed.Count > 0)
        {
            m.AddCpusetCorrections(updates, skip: null);
        }
        // Also writes what waited for a later write (changes that hold nothing exclusive).
        m.State.PersistIfChanged(m.Engine);
        return updates;
    }
}
