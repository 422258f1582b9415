namespace ResMgrLite.Nri.Ttrpc;

/// <summary>What the first bytes of a request that is still arriving say about streaming it (<see cref="TtrpcRequestEnvelope.TryReadPrefix"/>).</summary>
internal enum TtrpcPrefixStatus
{
    /// <summary>Not enough bytes yet; nothing was consumed.</summary>
    Incomplete,

    /// <summary>Service, method and where the payload begins are known.</summary>
    Found,

    /// <summary>Another layout: the request is read whole.</summary>
    NotStreamable,
}
