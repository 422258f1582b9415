namespace ResMgrLite.Config.Options;

/// <summary>Where the cgroup v2 hierarchy is and how pod cgroups are named.</summary>
internal sealed class CgroupOptions
{
    /// <summary>Mount point of the cgroup hierarchy.</summary>
    public string MountPath { get; set; } = "/sys/fs/cgroup";

    /// <summary>kubelet <c>cgroupRoot</c>: the cgroup the pod hierarchy hangs under.</summary>
    public string CgroupRoot { get; set; } = "/";

    /// <summary>kubelet <c>cgroupDriver</c>: <c>cgroupfs</c> or <c>systemd</c>.</summary>
    public string CgroupDriver { get; set; } = "cgroupfs";
}

/// <summary>Where checkpoint files live (the kubelet keeps them in its <c>rootDir</c>).</summary>
internal sealed class StateOptions
{
    public string Directory { get; set; } = "/var/lib/resmgrlite";
}

internal sealed class LogOptions
{
    /// <summary><c>file</c>, <c>stderr</c>, <c>stdout</c>, <c>journal</c>, or an absolute file path.</summary>
    public string Target { get; set; } = "file";

    /// <summary>File of the <c>file</c> target.</summary>
    public string File { get; set; } = "/var/log/resmgrlite.log";

    /// <summary><c>text</c> or <c>json</c>.</summary>
    public string Format { get; set; } = "text";

    /// <summary>Rotation size of the log file (quantity); <c>0</c> never rotates.</summary>
    public string MaxSize { get; set; } = "10Mi";

    /// <summary><c>trace</c>, <c>debug</c>, <c>info</c>, <c>warning</c> or <c>error</c>.</summary>
    public string Level { get; set; } = "info";
}

internal sealed class MetricsOptions
{
    /// <summary><c>host:port</c> for the Prometheus endpoint; empty turns it off.</summary>
    public string ListenAddress { get; set; } = "";

    /// <summary>File for node_exporter's textfile collector; empty turns it off.</summary>
    public string Textfile { get; set; } = "";
}

internal sealed class NrtOptions
{
    /// <summary>File kept up to date with the NodeResourceTopology document; empty turns it off.</summary>
    public string File { get; set; } = "";

    /// <summary>Node name in the document; empty uses the host name.</summary>
    public string NodeName { get; set; } = "";
}

internal sealed class HookOptions
{
    /// <summary>Directory of executables run on allocation events; empty turns hooks off.</summary>
    public string Directory { get; set; } = "";

    /// <summary>Longest a hook may run (Go duration).</summary>
    public string Timeout { get; set; } = "5s";
}
