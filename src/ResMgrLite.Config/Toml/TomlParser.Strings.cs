using System.Text;

namespace ResMgrLite.Config.Toml;

/// <summary>The four string kinds of TOML 1.0 ("String" section) and their escapes.</summary>
internal ref partial struct TomlParser
{
    // basic-string = quotation-mark *basic-char quotation-mark
    private string ParseBasicString()
    {
        _pos++;
        _scratch.Clear();
        int runStart = _pos;
        while (true)
        {
            if (AtEnd)
            {
                ThrowUnexpected("expected '\"' to close the string");
            }

            byte b = _text[_pos];
            if (b == '"')
            {
                FlushRun(runStart);
                _pos++;
                return _scratch.ToString();
            }

            if (b == '\\')
            {
                FlushRun(runStart);
                ParseEscape();
                runStart = _pos;
                continue;
            }

            if (b == '\n' || b == '\r')
            {
                ThrowUnexpected("expected '\"' to close the string before the end of the line; use \"\"\" for multi-line strings");
            }

            RejectControlInString(b);
            _pos++;
        }
    }

    // ml-basic-string = ml-basic-string-delim [ newline ] ml-basic-body ml-basic-string-delim
    private string ParseMultilineBasicString()
    {
        _pos += 3;
        TryConsumeNewline();
        _scratch.Clear();
        int runStart = _pos;
        while (true)
        {
            if (AtEnd)
            {
                ThrowUnexpected("expected '\"\"\"' to close the multi-line string");
            }

            byte b = _text[_pos];
            if (b == '"')
            {
                if (TryCloseMultiline((byte)'"', runStart))
                {
                    return _scratch.ToString();
                }

                continue;
            }

            if (b == '\\')
            {
                FlushRun(runStart);
                if (!TrySkipLineEndingBackslash())
                {
                    ParseEscape();
                }

                runStart = _pos;
                continue;
            }

            if (b == '\r')
            {
                // A CR is only allowed as part of CRLF; the pair is kept as written.
                TryConsumeNewline();
                continue;
            }

            if (b != '\n')
            {
                RejectControlInString(b);
            }

            _pos++;
        }
    }

    // literal-string = apostrophe *literal-char apostrophe
    private string ParseLiteralString()
    {
        _pos++;
        int start = _pos;
        while (true)
        {
            if (AtEnd)
            {
                ThrowUnexpected("expected ''' to close the literal string");
            }

            byte b = _text[_pos];
            if (b == '\'')
            {
                string value = Encoding.UTF8.GetString(_text[start.._pos]);
                _pos++;
                return value;
            }

            if (b == '\n' || b == '\r')
            {
                ThrowUnexpected("expected ''' to close the literal string before the end of the line; use ''' ''' for multi-line strings");
            }

            RejectControlInString(b);
            _pos++;
        }
    }

    // ml-literal-string = ml-literal-string-delim [ newline ] ml-literal-body ml-literal-string-delim
    private string ParseMultilineLiteralString()
    {
        _pos += 3;
        TryConsumeNewline();
        _scratch.Clear();
        int runStart = _pos;
        while (true)
        {
            if (AtEnd)
            {
                ThrowUnexpected("expected \"'''\" to close the multi-line literal string");
            }

            byte b = _text[_pos];
            if (b == '\'')
            {
                if (TryCloseMultiline((byte)'\'', runStart))
                {
                    return _scratch.ToString();
                }

                continue;
            }

            if (b == '\r')
            {
                TryConsumeNewline();
                continue;
            }

            if (b != '\n')
            {
                RejectControlInString(b);
            }

            _pos++;
        }
    }

    /// <summary>
    /// At a quote inside a multi-line string: one or two quotes are content; three to five end
    /// the string, the first one or two of them still being content (spec: "a quotation mark …
    /// right before the closing delimiter"); six or more are an error.
    /// </summary>
    private bool TryCloseMultiline(byte quote, int runStart)
    {
        int count = 0;
        while (Peek(count) == quote)
        {
            count++;
        }

        if (count < 3)
        {
            _pos += count;
            return false;
        }

        if (count > 5)
        {
            ThrowAt(_pos + 5, "too many quotes: at most two quotes may directly precede the closing delimiter");
        }

        _pos += count - 3;
        FlushRun(runStart);
        _pos += 3;
        return true;
    }

    /// <summary>
    /// mlb-escaped-nl = escape ws newline *( wschar / newline ): a backslash ending a line joins
    /// it with the next non-blank character.
    /// </summary>
    private bool TrySkipLineEndingBackslash()
    {
        int probe = _pos + 1;
        while (probe < _text.Length && (_text[probe] == ' ' || _text[probe] == '\t'))
        {
            probe++;
        }

        bool newlineFollows = probe < _text.Length && (_text[probe] == '\n' || _text[probe] == '\r');
        if (!newlineFollows)
        {
            if (probe > _pos + 1)
            {
                ThrowAt(_pos, "a backslash followed by spaces must end the line (line-ending backslash); otherwise it starts an escape like \\n");
            }

            return false;
        }

        _pos = probe;
        while (true)
        {
            SkipWhitespace();
            if (!TryConsumeNewline())
            {
                return true;
            }
        }
    }

    // escaped = escape escape-seq-char
    private void ParseEscape()
    {
        int start = _pos;
        _pos++;
        int b = Peek();
        _pos++;
        switch (b)
        {
            case 'b': _scratch.Append('\b'); return;
            case 't': _scratch.Append('\t'); return;
            case 'n': _scratch.Append('\n'); return;
            case 'f': _scratch.Append('\f'); return;
            case 'r': _scratch.Append('\r'); return;
            case '"': _scratch.Append('"'); return;
            case '\\': _scratch.Append('\\'); return;
            case 'u': AppendUnicodeEscape(start, 4); return;
            case 'U': AppendUnicodeEscape(start, 8); return;
            default:
                _pos = start + 1;
                ThrowUnexpected("invalid escape sequence; expected one of \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX after '\\'");
                return;
        }
    }

    private void AppendUnicodeEscape(int escapeStart, int digits)
    {
        uint value = 0;
        for (int i = 0; i < digits; i++)
        {
            int digit = HexValue(Peek());
            if (digit < 0)
            {
                ThrowUnexpected($"expected {digits} hexadecimal digits in the \\{(digits == 4 ? 'u' : 'U')} escape");
            }

            value = (value << 4) | (uint)digit;
            _pos++;
        }

        if (!Rune.IsValid(value))
        {
            ThrowAt(escapeStart, $"the escape \\{(digits == 4 ? 'u' : 'U')}{value.ToString(digits == 4 ? "X4" : "X8", System.Globalization.CultureInfo.InvariantCulture)} is not a Unicode scalar value (surrogates and values above 10FFFF are not allowed)");
        }

        _scratch.Append(new Rune(value).ToString());
    }

    private static int HexValue(int b) => b switch
    {
        >= '0' and <= '9' => b - '0',
        >= 'a' and <= 'f' => b - 'a' + 10,
        >= 'A' and <= 'F' => b - 'A' + 10,
        _ => -1,
    };

    private readonly void RejectControlInString(byte b)
    {
        if (IsControl(b))
        {
            ThrowUnexpected("control characters other than tab must be escaped in strings");
        }
    }

    /// <summary>Appends the plain bytes scanned since <paramref name="runStart"/>; UTF-8 was validated up front.</summary>
    private readonly void FlushRun(int runStart)
    {
        if (_pos > runStart)
        {
            _scratch.Append(Encoding.UTF8.GetString(_text[runStart.._pos]));
        }
    }
}
