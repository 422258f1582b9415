using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace ResMgrLite.Config.Toml;

/// <summary>
/// TOML 1.0.0 parser over UTF-8 bytes (https://toml.io/en/v1.0.0). One pass, no tokens
/// materialised: each grammar rule of the spec's ABNF is one method working on a cursor.
/// Builds a <see cref="TomlTable"/> tree; every error is a <see cref="TomlException"/> with
/// line and column.
/// </summary>
internal ref partial struct TomlParser
{
    /// <summary>
    /// Deepest nesting of tables and arrays accepted. toml-test does not test a limit; its README
    /// suggests 128–256 levels to resist hostile input, and no configuration needs more.
    /// </summary>
    public const int MaxDepth = 128;

    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private readonly ReadOnlySpan<byte> _text;
    private readonly string? _sourceName;
    private readonly Utf8LineMap _lines;
    private readonly StringBuilder _scratch = new();
    private int _pos;

    private TomlParser(ReadOnlySpan<byte> text, string? sourceName)
    {
        _text = text;
        _sourceName = sourceName;
        _lines = new Utf8LineMap(text);
        _pos = text.StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0;
    }

    public static TomlTable Parse(ReadOnlySpan<byte> utf8, string? sourceName)
    {
        var parser = new TomlParser(utf8, sourceName);
        parser.RejectInvalidUtf8();
        return parser.ParseDocument();
    }

    private readonly bool AtEnd => _pos >= _text.Length;

    private readonly int Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : -1;

    // toml = expression *( newline expression )
    private TomlTable ParseDocument()
    {
        var root = new TomlTable(PositionAt(0), depth: 0, TomlTableOrigin.Header);
        var current = root;
        while (true)
        {
            SkipWhitespace();
            if (AtEnd)
            {
                return root;
            }

            int b = Peek();
            if (b == '[')
            {
                current = ParseTableHeader(root);
            }
            else if (b != '#' && b != '\n' && b != '\r')
            {
                ParseKeyValue(current);
            }

            ExpectEndOfLine("after a key/value pair or table header");
        }
    }

    /// <summary>ws [comment] (newline | end of input).</summary>
    private void ExpectEndOfLine(string context)
    {
        SkipWhitespace();
        if (Peek() == '#')
        {
            SkipComment();
        }

        if (AtEnd)
        {
            return;
        }

        if (!TryConsumeNewline())
        {
            ThrowUnexpected($"expected a newline or a comment {context}");
        }
    }

    // ws = *( %x20 / %x09 )
    private void SkipWhitespace()
    {
        while (_pos < _text.Length && (_text[_pos] == ' ' || _text[_pos] == '\t'))
        {
            _pos++;
        }
    }

    /// <summary>newline = LF / CRLF. A CR not followed by LF is never valid outside a comment check.</summary>
    private bool TryConsumeNewline()
    {
        int b = Peek();
        if (b == '\n')
        {
            _pos++;
            return true;
        }

        if (b == '\r')
        {
            if (Peek(1) != '\n')
            {
                ThrowAt(_pos, "a carriage return must be followed by a line feed");
            }

            _pos += 2;
            return true;
        }

        return false;
    }

    // comment = "#" *non-eol ; control characters other than tab are not permitted (spec "Comment")
    private void SkipComment()
    {
        _pos++;
        while (_pos < _text.Length)
        {
            byte b = _text[_pos];
            if (b == '\n' || (b == '\r' && Peek(1) == '\n'))
            {
                return;
            }

            if (IsControl(b))
            {
                ThrowUnexpected("control characters other than tab are not allowed in comments");
            }

            _pos++;
        }
    }

    // ws-comment-newline = *( wschar / [ comment ] newline )
    private void SkipWhitespaceCommentsAndNewlines()
    {
        while (true)
        {
            SkipWhitespace();
            if (Peek() == '#')
            {
                SkipComment();
            }

            if (!TryConsumeNewline())
            {
                return;
            }
        }
    }

    private static bool IsControl(int b) => (b < 0x20 && b != '\t') || b == 0x7F;

    private readonly TomlPosition PositionAt(int offset) => _lines.PositionOf(_text, offset);

    private void RejectInvalidUtf8()
    {
        if (Utf8.IsValid(_text))
        {
            return;
        }

        // Cold path: find the first bad byte so the message can point at it.
        int offset = 0;
        while (offset < _text.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(_text[offset..], out _, out int consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                ThrowAt(offset, $"invalid UTF-8 byte {DescribeByte(_text[offset])}; a TOML document must be valid UTF-8");
            }

            offset += consumed;
        }
    }

    [DoesNotReturn]
    private readonly void ThrowUnexpected(string expected)
    {
        string found = AtEnd ? "end of input" : DescribeCharacter(_text[_pos..]);
        ThrowAt(_pos, $"{expected}, found {found}");
    }

    /// <summary>A non-ASCII character is shown with its code point (input was validated as UTF-8 up front).</summary>
    private static string DescribeCharacter(ReadOnlySpan<byte> text)
    {
        if (text[0] < 0x80 || System.Text.Rune.DecodeFromUtf8(text, out var rune, out _) != System.Buffers.OperationStatus.Done)
        {
            return DescribeByte(text[0]);
        }

        return $"'{rune}' (U+{rune.Value:X4})";
    }

    [DoesNotReturn]
    private readonly void ThrowAt(int offset, string reason) =>
        throw new TomlException(reason, PositionAt(offset), _sourceName);

    /// <summary>Printable ASCII as 'c'; anything else as \xNN so the message stays one safe line.</summary>
    internal static string DescribeByte(byte b) => b switch
    {
        (byte)'\n' => "end of line",
        (byte)'\r' => "carriage return",
        >= 0x21 and < 0x7F => $"'{(char)b}'",
        (byte)' ' => "' '",
        _ => $"\\x{b:X2}",
    };
}
