namespace ResMgrLite.Nri.Ttrpc;

/// <summary>The 10-byte ttrpc message header (docs/nri-rules.md §3.1).</summary>
internal readonly record struct TtrpcMessageHeader(uint DataLength, uint StreamId, TtrpcMessageType Type, byte Flags);
