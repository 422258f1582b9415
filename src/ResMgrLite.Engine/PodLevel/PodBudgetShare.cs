using ResMgrLite.Engine.Model;

namespace ResMgrLite.Engine.PodLevel;

/// <summary>
/// Which part of a KEP-5526 pod-level budget a container draws from (docs/kubelet-rules.md §5.3
/// step 6 for CPUs, §5.5 step 4 for memory). The same partition for both resources: the budget, the
/// sidecars' slices, the app containers' slices, and the pod shared pool = budget − sidecar slices −
/// app slices.
/// </summary>
internal enum PodBudgetShare : byte
{
    /// <summary>An eligible app container: an exclusive slice of the pod shared pool, which shrinks by it.</summary>
    AppSlice,

    /// <summary>An eligible sidecar: an exclusive slice of the budget outside earlier sidecars; the pool shrinks by it.</summary>
    SidecarSlice,

    /// <summary>An eligible regular init container: an exclusive slice of the budget outside the sidecars, for its run only.</summary>
    InitSlice,

    /// <summary>A non-eligible regular init container: the budget minus the sidecars' slices.</summary>
    InitPool,

    /// <summary>A non-eligible app container or sidecar: the pod shared pool.</summary>
    SharedPool,
}

/// <summary>The KEP-5526 membership rule.</summary>
internal static class PodBudgetShares
{
    /// <summary>
    /// The share of a container by role and eligibility (a container is eligible when the manager
    /// would give it exclusive resources of its own: Guaranteed-shaped with a positive request).
    /// </summary>
    public static PodBudgetShare Of(ContainerRole role, bool eligible) => (role, eligible) switch
    {
        (ContainerRole.App, true) => PodBudgetShare.AppSlice,
        (ContainerRole.Sidecar, true) => PodBudgetShare.SidecarSlice,
        (ContainerRole.Init, true) => PodBudgetShare.InitSlice,
        (ContainerRole.Init, false) => PodBudgetShare.InitPool,
        _ => PodBudgetShare.SharedPool,
    };

    /// <summary>True for the shares that hold exclusive resources of their own.</summary>
    public static bool IsSlice(PodBudgetShare share) => share is PodBudgetShare.AppSlice or PodBudgetShare.SidecarSlice or PodBudgetShare.InitSlice;
}
