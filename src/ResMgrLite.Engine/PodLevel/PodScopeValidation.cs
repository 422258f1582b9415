using ResMgrLite.Engine.Model;

namespace ResMgrLite.Engine.PodLevel;

/// <summary>
/// KEP-5526 <c>validatePodScopeResources</c>, the empty-shared-pool admission check
/// (docs/kubelet-rules.md §5.4). One implementation for CPUs (counts) and memory (bytes):
/// the caller says how much each container asks for and whether it is eligible.
/// </summary>
/// <remarks>
/// NRI delivers the pod's containers one at a time, so this runs over the containers known so
/// far; the first container that makes the pod invalid is refused, which is where the kubelet's
/// whole-pod check would have failed given the same containers.
/// </remarks>
internal static class PodScopeValidation
{
    /// <summary>
    /// Returns null when the pod fits its budget, else the kubelet's reason text.
    /// <paramref name="requestOf"/> gives a container's exclusive request (0 = not eligible).
    /// </summary>
    public static string? Check<TState>(PodSpec pod, long budget, string resource, string unit, TState state, Func<TState, ContainerSpec, long> requestOf)
    {
        long longRunning = 0;
        bool hasSharedLongRunning = false;
        foreach (ContainerSpec container in pod.Containers)
        {
            long request = requestOf(state, container);
            bool eligible = request > 0;
            switch (container.Role)
            {
                case ContainerRole.Init:
                    if (eligible && request > budget - longRunning)
                    {
                        return $"pod rejected, largest exclusive init container requests {request} {unit}, but only {budget - longRunning} {unit} available in the pod {resource} budget";
                    }
                    if (!eligible && longRunning >= budget)
                    {
                        return $"pod rejected, pod has shared init containers but no {unit} available for them";
                    }
                    break;
                case ContainerRole.Sidecar:
                case ContainerRole.App:
                    if (eligible)
                    {
                        longRunning += request;
                    }
                    else
                    {
                        hasSharedLongRunning = true;
                    }
                    break;
            }
        }
        if (hasSharedLongRunning && longRunning >= budget)
        {
            return $"pod rejected, sum of exclusive container {resource} requests equals pod budget, leaving no {unit} for shared containers";
        }
        return null;
    }
}
