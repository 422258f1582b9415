namespace ResMgrLite.Nri.Protobuf;

/// <summary>Bytes that are not a well-formed protobuf message, found by <see cref="ProtobufFieldReader"/>.</summary>
internal sealed class ProtobufFormatException : Exception
{
    public ProtobufFormatException(string message) : base(message)
    {
    }

    public ProtobufFormatException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public ProtobufFormatException()
    {
    }
}
