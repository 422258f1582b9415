namespace ResMgrLite.TestSupport.FakeNri;

/// <summary>A ttrpc Response as the runtime sees it: status (0 when absent) and payload.</summary>
internal sealed record FakeNriResponse(int StatusCode, string StatusMessage, byte[] Payload, int EncodedLength);
