namespace ResMgrLite.Config.Toml;

/// <summary>
/// Turns byte offsets into 1-based line and column. Lines end at LF (a CRLF pair ends at its LF);
/// columns count Unicode scalar values, so a message points at the character a reader sees.
/// Built once per input; positions are looked up only when a node or an error needs one.
/// </summary>
internal sealed class Utf8LineMap
{
    private readonly int[] _lineStarts;

    public Utf8LineMap(ReadOnlySpan<byte> text)
    {
        var starts = new List<int> { 0 };
        int offset = 0;
        while (true)
        {
            int newline = text[offset..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            offset += newline + 1;
            starts.Add(offset);
        }

        _lineStarts = [.. starts];
    }

    public TomlPosition PositionOf(ReadOnlySpan<byte> text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        int index = Array.BinarySearch(_lineStarts, offset);
        int line = index >= 0 ? index : ~index - 1;
        int column = 1;
        for (int i = _lineStarts[line]; i < offset; i++)
        {
            // Continuation bytes (10xxxxxx) belong to the character already counted.
            if ((text[i] & 0xC0) != 0x80)
            {
                column++;
            }
        }

        return new TomlPosition(line + 1, column);
    }
}
