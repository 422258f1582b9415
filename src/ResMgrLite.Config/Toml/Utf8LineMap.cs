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

    // The parser asks for positions close to the previous one; counting from the previous answer
    // (forwards or backwards) instead of the line start keeps a hostile one-line document (a
    // megabyte-long array of arrays or inline tables) linear, not quadratic.
    private int _cachedLine = -1;
    private int _cachedOffset;
    private int _cachedColumn;

    public TomlPosition PositionOf(ReadOnlySpan<byte> text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        int index = Array.BinarySearch(_lineStarts, offset);
        int line = index >= 0 ? index : ~index - 1;
        int column;
        if (line == _cachedLine && offset >= _cachedOffset)
        {
            column = _cachedColumn + CountCharacters(text[_cachedOffset..offset]);
        }
        else if (line == _cachedLine && _cachedOffset - offset < offset - _lineStarts[line])
        {
            column = _cachedColumn - CountCharacters(text[offset.._cachedOffset]);
        }
        else
        {
            column = 1 + CountCharacters(text[_lineStarts[line]..offset]);
        }

        _cachedLine = line;
        _cachedOffset = offset;
        _cachedColumn = column;
        return new TomlPosition(line + 1, column);
    }

    private static int CountCharacters(ReadOnlySpan<byte> utf8)
    {
        int count = 0;
        foreach (byte b in utf8)
        {
            // Continuation bytes (10xxxxxx) belong to the character already counted.
            if ((b & 0xC0) != 0x80)
            {
                count++;
            }
        }

        return count;
    }
}
