namespace ResMgrLite.Config.Schema;

/// <summary>What a configuration key holds; decides how its text is checked.</summary>
internal enum ConfigValueType
{
    String,
    Enum,
    Boolean,
    Integer,
    Float,
    /// <summary>Linux cpulist, e.g. "0-3,8".</summary>
    CpuList,
    /// <summary>Kubernetes quantity, e.g. "1Gi", "500m"; a TOML integer counts as a plain number.</summary>
    Quantity,
    /// <summary>Quantity or percentage ("10%"), as eviction thresholds allow.</summary>
    QuantityOrPercent,
    /// <summary>Go duration, e.g. "10s".</summary>
    Duration,
    /// <summary>Absolute path, or empty where the key allows "off".</summary>
    Path,
    /// <summary>host:port, or empty for "off".</summary>
    Address,
}
