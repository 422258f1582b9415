using ResMgrLite.Nri.Api;

namespace ResMgrLite.Plugin;

/// <summary>
/// The pods and containers the plugin has heard of, by id. Fed by Synchronize and lifecycle
/// events; forgets pods on RemovePodSandbox and containers on RemoveContainer. Thread-safe: the
/// runtime serializes events, but unsolicited work may read concurrently.
/// </summary>
internal sealed class PodRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PodSandbox> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Container> _containers = new(StringComparer.Ordinal);

    public int PodCount
    {
        get
        {
            lock (_lock)
            {
                return _pods.Count;
            }
        }
    }

    public int ContainerCount
    {
        get
        {
            lock (_lock)
            {
                return _containers.Count;
            }
        }
    }

    public void ReplaceAll(IEnumerable<PodSandbox> pods, IEnumerable<Container> containers)
    {
        lock (_lock)
        {
            _pods.Clear();
            _containers.Clear();
            foreach (PodSandbox pod in pods)
            {
                _pods[pod.Id] = pod;
            }

            foreach (Container container in containers)
            {
                _containers[container.Id] = container;
            }
        }
    }

    public void AddPod(PodSandbox pod)
    {
        if (pod.Id.Length == 0)
        {
            return;
        }

        lock (_lock)
        {
            _pods[pod.Id] = pod;
        }
    }

    public void RemovePod(string podId)
    {
        lock (_lock)
        {
            _pods.Remove(podId);
            List<string> orphans = [.. _containers.Values.Where(c => c.PodSandboxId == podId).Select(c => c.Id)];
            foreach (string id in orphans)
            {
                _containers.Remove(id);
            }
        }
    }

    public void AddContainer(Container container)
    {
        if (container.Id.Length == 0)
        {
            return;
        }

        lock (_lock)
        {
            _containers[container.Id] = container;
        }
    }

    public void RemoveContainer(string containerId)
    {
        lock (_lock)
        {
            _containers.Remove(containerId);
        }
    }

    public bool TryGetPod(string podId, out PodSandbox? pod)
    {
        lock (_lock)
        {
            return _pods.TryGetValue(podId, out pod);
        }
    }

    public bool ContainsContainer(string containerId)
    {
        lock (_lock)
        {
            return _containers.ContainsKey(containerId);
        }
    }
}
