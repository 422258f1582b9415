namespace ResMgrLite.Nri;

/// <summary>
/// The peer sent bytes that break the mux or ttrpc framing. The connection that carried them is
/// closed with this message as the logged reason; the process goes on.
/// </summary>
internal sealed class ProtocolViolationException : Exception
{
    public ProtocolViolationException(string message) : base(message)
    {
    }

    public ProtocolViolationException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public ProtocolViolationException()
    {
    }
}
