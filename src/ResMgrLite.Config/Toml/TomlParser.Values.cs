namespace ResMgrLite.Config.Toml;

/// <summary>val = string / boolean / array / inline-table / date-time / float / integer</summary>
internal ref partial struct TomlParser
{
    private TomlNode ParseValue(int depth)
    {
        int start = _pos;
        int b = Peek();
        switch (b)
        {
            case '"':
                return TomlScalar.String(
                    Peek(1) == '"' && Peek(2) == '"' ? ParseMultilineBasicString() : ParseBasicString(),
                    PositionAt(start));
            case '\'':
                return TomlScalar.String(
                    Peek(1) == '\'' && Peek(2) == '\'' ? ParseMultilineLiteralString() : ParseLiteralString(),
                    PositionAt(start));
            case 't':
                ExpectWord("true"u8);
                return TomlScalar.Boolean(true, PositionAt(start));
            case 'f':
                ExpectWord("false"u8);
                return TomlScalar.Boolean(false, PositionAt(start));
            case '[':
                return ParseArray(depth);
            case '{':
                return ParseInlineTable(depth);
            default:
                if ((b >= '0' && b <= '9') || b == '+' || b == '-' || b == 'i' || b == 'n')
                {
                    return ParseNumberOrDateTime();
                }

                ThrowUnexpected("expected a value (string, number, boolean, date-time, array or inline table)");
                return null;
        }
    }

    private void ExpectWord(ReadOnlySpan<byte> word)
    {
        if (!_text[_pos..].StartsWith(word) || (_pos + word.Length < _text.Length && IsBareKeyByte(_text[_pos + word.Length])))
        {
            ThrowUnexpected("expected a value; booleans are lower-case 'true' or 'false'");
        }

        _pos += word.Length;
    }

    // array = "[" [ array-values ] ws-comment-newline "]" ; a trailing comma is allowed
    private TomlArray ParseArray(int depth)
    {
        int start = _pos;
        var array = new TomlArray(PositionAt(start), CheckDepth(depth, start), isArrayOfTables: false);
        _pos++;
        while (true)
        {
            SkipWhitespaceCommentsAndNewlines();
            if (Peek() == ']')
            {
                _pos++;
                return array;
            }

            int itemOffset = _pos;
            var item = ParseValue(depth + 1);
            item.Position = item.KeyPosition = PositionAt(itemOffset);
            array.Add(item);
            SkipWhitespaceCommentsAndNewlines();
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }

            if (Peek() != ']')
            {
                ThrowUnexpected("expected ',' or ']' after an array element");
            }
        }
    }

    // inline-table = "{" ws [ inline-table-keyvals ] ws "}" ; TOML 1.0: one line, no trailing comma
    private TomlTable ParseInlineTable(int depth)
    {
        int start = _pos;
        var table = new TomlTable(PositionAt(start), CheckDepth(depth, start), TomlTableOrigin.Inline);
        _pos++;
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
            table.Freeze();
            return table;
        }

        while (true)
        {
            SkipWhitespace();
            RejectNewlineInInlineTable();
            ParseKeyValue(table);
            SkipWhitespace();
            RejectNewlineInInlineTable();
            if (Peek() == ',')
            {
                _pos++;
                SkipWhitespace();
                if (Peek() == '}')
                {
                    ThrowUnexpected("expected a key after ','; TOML 1.0 does not allow a trailing comma in an inline table");
                }

                continue;
            }

            if (Peek() == '}')
            {
                _pos++;
                table.Freeze();
                return table;
            }

            ThrowUnexpected("expected ',' or '}' after a key/value pair in an inline table");
        }
    }

    private readonly void RejectNewlineInInlineTable()
    {
        int b = Peek();
        if (b == '\n' || b == '\r' || b == '#')
        {
            ThrowUnexpected("an inline table must stay on one line (TOML 1.0); expected a key/value pair, ',' or '}'");
        }
    }
}
