namespace ResMgrLite.Engine;

/// <summary>Where and why a cpulist failed to parse.</summary>
/// <param name="Position">0-based character offset of the offending text in the input.</param>
/// <param name="Offending">The offending text (escaped when not printable).</param>
/// <param name="Reason">What was wrong and what would have been valid.</param>
internal readonly record struct CpuListError(int Position, string Offending, string Reason)
{
    public override string ToString() => $"at position {Position} ('{Offending}'): {Reason}";
}

/// <summary>Thrown by <see cref="CpuSet.Parse"/> for malformed cpulists.</summary>
internal sealed class CpuListFormatException : FormatException
{
    public CpuListFormatException(CpuListError error, string input)
        : base($"invalid cpulist \"{CpuListParser.Escape(input)}\" {error}")
    {
        Error = error;
        Input = input;
    }

    public CpuListError Error { get; }

    public string Input { get; }
}
