using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.Resize;

namespace ResMgrLite.Host.State;

/// <summary>
/// The words the state file uses for the engine's enumerations (docs/state.md, "Format"), both ways;
/// reading a word that is not one of them names the field's place (<c>containers[3].kind: …</c>).
/// </summary>
internal static class CheckpointNames
{
    public static string Kind(CpuAssignmentKind kind) => kind switch
    {
        CpuAssignmentKind.NodeShared => "nodeShared",
        CpuAssignmentKind.Exclusive => "exclusive",
        CpuAssignmentKind.PodInitPool => "podInitPool",
        CpuAssignmentKind.PodShared => "podShared",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static CpuAssignmentKind ParseKind(string text, string place) => text switch
    {
        "nodeShared" => CpuAssignmentKind.NodeShared,
        "exclusive" => CpuAssignmentKind.Exclusive,
        "podInitPool" => CpuAssignmentKind.PodInitPool,
        "podShared" => CpuAssignmentKind.PodShared,
        _ => throw new FormatException($"{place}: \"{text}\" is not one of nodeShared, exclusive, podInitPool, podShared"),
    };

    public static string Role(ContainerRole role) => role switch
    {
        ContainerRole.App => "app",
        ContainerRole.Init => "init",
        ContainerRole.Sidecar => "sidecar",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static ContainerRole ParseRole(string text, string place) => text switch
    {
        "app" => ContainerRole.App,
        "init" => ContainerRole.Init,
        "sidecar" => ContainerRole.Sidecar,
        _ => throw new FormatException($"{place}: \"{text}\" is not one of app, init, sidecar"),
    };

    public static string Qos(QosClass qos) => qos switch
    {
        QosClass.Guaranteed => "guaranteed",
        QosClass.Burstable => "burstable",
        _ => "besteffort",
    };

    public static QosClass ParseQos(string text, string place) => text switch
    {
        "guaranteed" => QosClass.Guaranteed,
        "burstable" => QosClass.Burstable,
        "besteffort" => QosClass.BestEffort,
        _ => throw new FormatException($"{place}: \"{text}\" is not one of guaranteed, burstable, besteffort"),
    };

    public static ResizeOutcome ParseOutcome(string text, string place) =>
        ResizeOutcomes.TryParse(text, out ResizeOutcome outcome)
            ? outcome
            : throw new FormatException($"{place}: \"{text}\" is not one of unchanged, applied, deferred, infeasible");
}
