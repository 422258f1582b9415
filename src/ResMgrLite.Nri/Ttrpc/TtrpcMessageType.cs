namespace ResMgrLite.Nri.Ttrpc;

/// <summary>ttrpc message types (docs/nri-rules.md §3.2). NRI uses only unary Request/Response.</summary>
internal enum TtrpcMessageType : byte
{
    Request = 0x01,
    Response = 0x02,
    Data = 0x03,
}
