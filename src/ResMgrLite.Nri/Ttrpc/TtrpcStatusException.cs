namespace ResMgrLite.Nri.Ttrpc;

/// <summary>
/// A ttrpc call ended with a non-OK status. Thrown by the client when the peer answers with an
/// error; thrown by a handler to choose the status code it answers with (otherwise UNKNOWN).
/// </summary>
internal sealed class TtrpcStatusException : Exception
{
    public TtrpcStatusException(TtrpcStatusCode code, string message) : base(message)
    {
        Code = code;
    }

    public TtrpcStatusException() : this(TtrpcStatusCode.Unknown, "unknown error")
    {
    }

    public TtrpcStatusException(string message) : this(TtrpcStatusCode.Unknown, message)
    {
    }

    public TtrpcStatusException(string message, Exception innerException) : base(message, innerException)
    {
        Code = TtrpcStatusCode.Unknown;
    }

    public TtrpcStatusCode Code { get; }
}
