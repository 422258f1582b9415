namespace ResMgrLite.Engine.Topology;

/// <summary>The facts given to <see cref="MachineTopologyBuilder"/> contradict each other.</summary>
internal sealed class InvalidTopologyException : Exception
{
    public InvalidTopologyException()
    {
    }

    public InvalidTopologyException(string message)
        : base(message)
    {
    }

    public InvalidTopologyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
