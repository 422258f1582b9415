namespace ResMgrLite.CriTool.Sandbox;

/// <summary>How to start a private containerd: a short name for its directory, NRI on or off, pre-launched plugins.</summary>
internal sealed record SandboxOptions(string Name, bool EnableNri = true, IReadOnlyList<PreLaunchedPlugin>? Plugins = null);
