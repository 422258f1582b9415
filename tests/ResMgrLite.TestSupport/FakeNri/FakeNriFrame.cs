namespace ResMgrLite.TestSupport.FakeNri;

/// <summary>One mux frame exactly as it arrived from the plugin.</summary>
internal sealed record FakeNriFrame(uint ConnId, byte[] Payload);
