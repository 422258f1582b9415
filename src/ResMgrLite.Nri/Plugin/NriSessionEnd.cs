namespace ResMgrLite.Nri.Plugin;

/// <summary>How one connection to the runtime ended.</summary>
internal enum NriSessionEnd
{
    /// <summary>The runtime closed the socket after we registered.</summary>
    Closed,

    /// <summary>RegisterPlugin failed or was not answered.</summary>
    RegistrationFailed,

    /// <summary>The host was asked to stop.</summary>
    Cancelled,
}
