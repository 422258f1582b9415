using ResMgrLite.Engine.Model;

namespace ResMgrLite.Engine.PodLevel;

/// <summary>How one manager counts a container's request, and how its amounts add up.</summary>
/// <typeparam name="T">CPUs (a count), bytes, or bytes per memory resource.</typeparam>
internal interface IPodRequestRule<T>
{
    /// <summary>The container's request as the manager counts it (0 when it counts none).</summary>
    T RequestOf(ContainerSpec container);

    T Add(T a, T b);

    /// <summary>The larger of two amounts (per resource when an amount has several).</summary>
    T Max(T a, T b);
}

/// <summary>
/// The kubelet's sidecar-aware pod request (KEP-753, docs/kubelet-rules.md §3.8, §4.3, §6.4):
/// <c>max(largest init container + the sidecars started before it, Σ app + Σ sidecars)</c>, over the
/// containers known so far in kubelet order. One fold for the CPU manager, the memory manager and
/// Memory QoS; each passes its own <see cref="IPodRequestRule{T}"/> (a struct, so nothing is allocated).
/// </summary>
internal static class PodRequestFold
{
    public static T Fold<T, TRule>(PodSpec pod, TRule rule)
        where TRule : struct, IPodRequestRule<T>
    {
        T sidecars = default!, initMax = default!, apps = default!;
        foreach (ContainerSpec container in pod.Containers)
        {
            T request = rule.RequestOf(container);
            switch (container.Role)
            {
                case ContainerRole.Sidecar:
                    sidecars = rule.Add(sidecars, request);
                    break;
                case ContainerRole.Init:
                    initMax = rule.Max(initMax, rule.Add(sidecars, request));
                    break;
                default:
                    apps = rule.Add(apps, request);
                    break;
            }
        }
        return rule.Max(initMax, rule.Add(apps, sidecars));
    }
}
