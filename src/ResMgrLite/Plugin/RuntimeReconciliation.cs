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
        // Loops, not LINQ: every query here was its own set of generic instantiations in the image.
        var sandboxes = new Dictionary<string, PodSandbox>(pods.Count, StringComparer.Ordinal);
        var presentPods = new HashSet<string>(StringComparer.Ordinal);
        foreach (PodSandbox pod in pods)
        {
            sandboxes.Add(pod.Id, pod);
        }
        foreach (PodSandbox pod in sandboxes.Values)
        {
            presentPods.Add(pod.Uid);
        }
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (Container container in containers)
        {
            present.Add(container.Id);
        }
        m.Pods.KeepOnly(present, presentPods);
        int departed = 0;
        foreach ((ContainerKey key, string id) in m.Engine.ListContainers())
        {
            if (present.Contains(id))
            {
                continue;
            }
            m.Engine.ReleaseContainer(key, id);
            m.Ledger.Forget(id);
            departed++;
            log.Write(ProtocolLogLevel.Info, $"reconcile: the runtime no longer has container {key.Name} of pod {key.PodUid} ({id}); its resources are released");
        }
        foreach (string podUid in m.Engine.ListPods())
        {
            if (!presentPods.Contains(podUid))
            {
                m.ReleasePod(podUid, $"pod {podUid}", updates: null);
            }
        }

        // Survivors first, in a stable order, so new admissions cannot take their resources.
        var updates = new List<ContainerUpdate>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach ((_, string id) in m.Engine.ListContainers())
        {
            known.Add(id);
        }
        var restated = new HashSet<string>(StringComparer.Ordinal);
        foreach (Container container in SurvivorsFirst(containers, sandboxes, known))
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
            m.Ledger.RecordReported(container.Id, CpuSet.TryParse(container.Linux?.Resources?.Cpu?.Cpus ?? "", out CpuSet actual) ? actual.ToString() : "");
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

    /// <summary>
    /// One reconcile pass (<see cref="StaleStateReconciler"/>): releases departed pods; returns the
    /// cpuset updates of every container the runtime has not acknowledged its cpuset for.
    /// </summary>
    public static List<ContainerUpdate> ReleaseStalePods(ResourceManagement m, PluginLog log)
    {
        var updates = new List<ContainerUpdate>();
        List<string> departed = m.Reconciler.FindDeparted(m.Engine, m.Pods.SeenPodUids());
        foreach (string podUid in departed)
        {
            m.ReleasePod(podUid, $"pod {podUid}", updates: null);
            log.Write(ProtocolLogLevel.Info, $"reconcile: pod {podUid} from the state file has no cgroup any more; its resources are released");
        }
        // Every period, not only after a release: an update that failed or timed out is sent
        // again until the runtime acknowledges it (a lost narrowing would share exclusive CPUs).
        m.AddCpusetCorrections(updates, skip: null);
        // Also writes what waited for a later write (changes that hold nothing exclusive).
        m.State.PersistIfChanged(m.Engine);
        return updates;
    }

    /// <summary>
    /// The running containers of known sandboxes: those with an entry first, then by creation time, then
    /// by id (ordinal); equal ones keep the runtime's order.
    /// </summary>
    private static List<Container> SurvivorsFirst(IReadOnlyList<Container> containers, Dictionary<string, PodSandbox> sandboxes, HashSet<string> known)
    {
        var candidates = new List<Container>();
        foreach (Container container in containers)
        {
            if (container.State != ContainerState.ContainerStopped && sandboxes.ContainsKey(container.PodSandboxId))
            {
                candidates.Add(container);
            }
        }
        var order = new int[candidates.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) =>
        {
            Container x = candidates[a], y = candidates[b];
            int byEntry = (known.Contains(x.Id) ? 0 : 1) - (known.Contains(y.Id) ? 0 : 1);
            if (byEntry != 0)
            {
                return byEntry;
            }
            int byCreation = x.CreatedAt.CompareTo(y.CreatedAt);
            if (byCreation != 0)
            {
                return byCreation;
            }
            int byId = string.CompareOrdinal(x.Id, y.Id);
            return byId != 0 ? byId : a - b;
        });
        var sorted = new List<Container>(order.Length);
        foreach (int i in order)
        {
            sorted.Add(candidates[i]);
        }
        return sorted;
    }
}
