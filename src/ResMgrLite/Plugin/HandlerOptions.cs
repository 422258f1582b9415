namespace ResMgrLite.Plugin;

/// <summary>Where the handler finds the machine and its configuration.</summary>
/// <param name="SysfsRoot">Root of the sysfs tree (tests use synthetic trees).</param>
/// <param name="ConfigSourceName">Name used in configuration messages for the Configure text (the conf.d file).</param>
/// <param name="ConfigFile">External plugins get no config in Configure: they read this file (null = defaults).</param>
/// <param name="Environment">Variables for RESMGRLITE__* overrides.</param>
/// <param name="ProcRoot">Root of procfs, for the cgroup mounts.</param>
/// <param name="Observability">Metrics endpoint, textfile and NodeResourceTopology file, started by the first valid configuration.</param>
/// <param name="StartupFinished">Called after Configure and after a Synchronize has been handled: the plugin process releases its start-up pages there (<see cref="StartupPageRelease"/>).</param>
internal sealed record HandlerOptions(string SysfsRoot, string ConfigSourceName, string? ConfigFile, System.Collections.IDictionary Environment, string ProcRoot = "/proc", Observability.PluginObservability? Observability = null, Action? StartupFinished = null);
