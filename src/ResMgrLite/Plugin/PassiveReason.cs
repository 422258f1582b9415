namespace ResMgrLite.Plugin;

/// <summary>
/// Why resource management is off while the plugin stays registered (fail closed: containers
/// start without pinning). <see cref="ResourceManagementStatus.Label"/> gives the metric label.
/// </summary>
internal enum PassiveReason
{
    /// <summary>Active: resource management is on.</summary>
    None,

    /// <summary>The runtime has not sent Configure yet.</summary>
    NotConfigured,

    /// <summary>The machine's topology (sysfs) could not be read.</summary>
    MachineUnreadable,

    /// <summary>The configuration has problems (the first Configure; later ones keep the running configuration).</summary>
    InvalidConfiguration,

    /// <summary>The resource managers refused the settings (e.g. reserved CPUs that do not fit).</summary>
    StartFailed,

    /// <summary>The state file is damaged, from a newer binary, or does not match this machine or configuration.</summary>
    UntrustedState,
}
