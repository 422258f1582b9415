namespace ResMgrLite.TestSupport.FakeNri;

/// <summary>One ttrpc message cut out of a logical connection's byte stream.</summary>
internal sealed record FakeNriMessage(uint ConnId, uint StreamId, byte Type, byte Flags, byte[] Data);
