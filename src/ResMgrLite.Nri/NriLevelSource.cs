namespace ResMgrLite.Nri;

/// <summary>How the runtime's NRI level was found (docs/nri-rules.md §5.6).</summary>
internal enum NriLevelSource
{
    /// <summary>ConfigureRequest.NRI_version (v0.12+ runtimes send it).</summary>
    Reported,

    /// <summary>From the runtime's name and version through <see cref="NriVersionTable"/>.</summary>
    RuntimeVersion,

    /// <summary>Only the v0.7 timeout fields were there: at least v0.7.</summary>
    TimeoutFields,

    /// <summary>Nothing told: assumed the oldest level, which is always safe.</summary>
    Assumed,
}
