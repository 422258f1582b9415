namespace ResMgrLite.CriTool.Sandbox;

/// <summary>
/// How to start a private containerd: a short name for its directory, NRI on or off, pre-launched
/// plugins, and the runtime (null: <see cref="ContainerdRuntime.Default"/>, the newest).
/// </summary>
internal sealed record SandboxOptions(string Name, bool EnableNri = true, IReadOnlyList<PreLaunchedPlugin>? Plugins = null, ContainerdRuntime? Runtime = null);
