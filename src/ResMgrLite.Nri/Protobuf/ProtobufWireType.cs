namespace ResMgrLite.Nri.Protobuf;

/// <summary>The low three bits of a protobuf tag (docs/nri-rules.md §5.0). NRI uses no groups (3, 4).</summary>
internal enum ProtobufWireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}
