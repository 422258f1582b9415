namespace ResMgrLite.Config.Toml;

/// <summary>Keys, key/value pairs, table headers and the TOML 1.0 redefinition rules.</summary>
internal ref partial struct TomlParser
{
    private readonly record struct KeyPart(string Name, int Offset);

    // key = simple-key / dotted-key ; dotted-key = simple-key 1*( dot-sep simple-key )
    private List<KeyPart> ParseKey()
    {
        var parts = new List<KeyPart>(2);
        while (true)
        {
            int start = _pos;
            parts.Add(new KeyPart(ParseSimpleKey(), start));
            SkipWhitespace();
            if (Peek() != '.')
            {
                return parts;
            }

            _pos++;
            SkipWhitespace();
        }
    }

    // simple-key = quoted-key / unquoted-key ; unquoted-key = 1*( ALPHA / DIGIT / %x2D / %x5F )
    private string ParseSimpleKey()
    {
        int b = Peek();
        if (b == '"')
        {
            if (Peek(1) == '"' && Peek(2) == '"')
            {
                ThrowUnexpected("expected a key; multi-line strings cannot be keys");
            }

            return ParseBasicString();
        }

        if (b == '\'')
        {
            if (Peek(1) == '\'' && Peek(2) == '\'')
            {
                ThrowUnexpected("expected a key; multi-line strings cannot be keys");
            }

            return ParseLiteralString();
        }

        int start = _pos;
        while (_pos < _text.Length && IsBareKeyByte(_text[_pos]))
        {
            _pos++;
        }

        if (_pos == start)
        {
            ThrowUnexpected("expected a key (letters, digits, '-', '_', or a quoted string)");
        }

        return System.Text.Encoding.ASCII.GetString(_text[start.._pos]);
    }

    private static bool IsBareKeyByte(byte b) =>
        (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_';

    // keyval = key keyval-sep val
    private void ParseKeyValue(TomlTable table)
    {
        var key = ParseKey();
        SkipWhitespace();
        if (Peek() != '=')
        {
            ThrowUnexpected($"expected '=' after the key '{Join(key, key.Count)}'");
        }

        _pos++;
        SkipWhitespace();

        // Walk and create the dotted prefix before parsing the value, so the value knows its depth.
        var parent = table;
        for (int i = 0; i < key.Count - 1; i++)
        {
            parent = DescendForDottedKey(parent, key, i);
        }

        var last = key[^1];
        if (parent.TryGetValue(last.Name, out var existing))
        {
            ThrowAt(last.Offset, $"the key '{Join(key, key.Count)}' is already defined at {existing.KeyPosition}");
        }

        int valueOffset = _pos;
        var value = ParseValue(parent.Depth + 1);
        value.Position = PositionAt(valueOffset);
        value.KeyPosition = PositionAt(last.Offset);
        parent.Add(last.Name, value);
    }

    /// <summary>
    /// A dotted key may create tables or extend tables that earlier dotted keys created in the
    /// same place; it may not reach into a table defined by a header or written inline (spec "Keys":
    /// "using dotted keys to redefine tables already defined in [table] form is not allowed").
    /// </summary>
    private TomlTable DescendForDottedKey(TomlTable parent, List<KeyPart> key, int index)
    {
        var part = key[index];
        if (!parent.TryGetValue(part.Name, out var existing))
        {
            var created = NewTable(parent.Depth + 1, part.Offset, TomlTableOrigin.Dotted);
            parent.Add(part.Name, created);
            return created;
        }

        if (existing is TomlTable { Origin: TomlTableOrigin.Dotted, IsFrozen: false } dotted)
        {
            return dotted;
        }

        string path = Join(key, index + 1);
        string why = existing switch
        {
            TomlTable { Origin: TomlTableOrigin.Inline } or TomlTable { IsFrozen: true } => "an inline table, which cannot be extended",
            TomlTable => "a table defined by a [header]; dotted keys cannot add to it",
            TomlArray => "an array",
            _ => $"a {Describe(existing.Kind)} value",
        };
        ThrowAt(part.Offset, $"cannot use the dotted key '{Join(key, key.Count)}': '{path}' is {why} (defined at {existing.KeyPosition})");
        return null;
    }

    // table = std-table / array-table ; std-table = "[" ws key ws "]" ; array-table = "[[" ws key ws "]]"
    private TomlTable ParseTableHeader(TomlTable root)
    {
        int headerOffset = _pos;
        bool isArray = Peek(1) == '[';
        _pos += isArray ? 2 : 1;
        SkipWhitespace();
        var key = ParseKey();
        SkipWhitespace();
        if (Peek() != ']' || (isArray && Peek(1) != ']'))
        {
            ThrowUnexpected(isArray ? "expected ']]' to close the array-of-tables header" : "expected ']' to close the table header");
        }

        _pos += isArray ? 2 : 1;

        var parent = root;
        for (int i = 0; i < key.Count - 1; i++)
        {
            parent = DescendForHeader(parent, key, i);
        }

        var last = key[^1];
        parent.TryGetValue(last.Name, out var existing);
        string name = Join(key, key.Count);
        if (isArray)
        {
            if (existing is null)
            {
                var array = new TomlArray(PositionAt(headerOffset), CheckDepth(parent.Depth + 1, last.Offset), isArrayOfTables: true)
                {
                    KeyPosition = PositionAt(last.Offset),
                };
                parent.Add(last.Name, array);
                existing = array;
            }

            if (existing is not TomlArray { IsArrayOfTables: true } tables)
            {
                ThrowAt(last.Offset, $"cannot define [[{name}]]: '{name}' is already {DescribeDefined(existing)} at {existing.KeyPosition}");
                return null;
            }

            var element = NewTable(tables.Depth + 1, headerOffset, TomlTableOrigin.Header);
            element.KeyPosition = PositionAt(last.Offset);
            tables.Add(element);
            return element;
        }

        if (existing is null)
        {
            var table = NewTable(parent.Depth + 1, headerOffset, TomlTableOrigin.Header);
            table.KeyPosition = PositionAt(last.Offset);
            parent.Add(last.Name, table);
            return table;
        }

        if (existing is TomlTable { Origin: TomlTableOrigin.Implicit } implicitTable)
        {
            // [a.b] first, [a] later: allowed once (spec "Table": defining a super-table after its sub-table).
            implicitTable.Origin = TomlTableOrigin.Header;
            implicitTable.Position = PositionAt(headerOffset);
            implicitTable.KeyPosition = PositionAt(last.Offset);
            return implicitTable;
        }

        ThrowAt(last.Offset, $"cannot define [{name}]: '{name}' is already {DescribeDefined(existing)} at {existing.KeyPosition}");
        return null;
    }

    /// <summary>Headers walk through any open table; through an array of tables they enter its last element.</summary>
    private TomlTable DescendForHeader(TomlTable parent, List<KeyPart> key, int index)
    {
        var part = key[index];
        if (!parent.TryGetValue(part.Name, out var existing))
        {
            var created = NewTable(parent.Depth + 1, part.Offset, TomlTableOrigin.Implicit);
            parent.Add(part.Name, created);
            return created;
        }

        switch (existing)
        {
            case TomlTable { IsFrozen: false, Origin: not TomlTableOrigin.Inline } table:
                return table;
            case TomlArray { IsArrayOfTables: true, Count: > 0 } tables:
                return (TomlTable)tables[^1];
            default:
                string path = Join(key, index + 1);
                ThrowAt(part.Offset, $"cannot add a table under '{path}': it is {DescribeDefined(existing)} at {existing.KeyPosition}");
                return null;
        }
    }

    private TomlTable NewTable(int depth, int offset, TomlTableOrigin origin)
    {
        var position = PositionAt(offset);
        return new TomlTable(position, CheckDepth(depth, offset), origin) { KeyPosition = position };
    }

    private readonly int CheckDepth(int depth, int offset)
    {
        if (depth > MaxDepth)
        {
            ThrowAt(offset, $"tables and arrays are nested deeper than the limit of {MaxDepth} levels");
        }

        return depth;
    }

    private static string DescribeDefined(TomlNode node) => node switch
    {
        TomlTable { Origin: TomlTableOrigin.Inline } or TomlTable { IsFrozen: true } => "defined as an inline table",
        TomlTable { Origin: TomlTableOrigin.Dotted } => "defined by dotted keys",
        TomlTable => "defined as a table",
        TomlArray { IsArrayOfTables: true } => "defined as an array of tables",
        TomlArray => "defined as an array value",
        _ => $"defined as a {Describe(node.Kind)} value",
    };

    internal static string Describe(TomlNodeKind kind) => kind switch
    {
        TomlNodeKind.OffsetDateTime => "date-time",
        TomlNodeKind.LocalDateTime => "local date-time",
        TomlNodeKind.LocalDate => "local date",
        TomlNodeKind.LocalTime => "local time",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Join(List<KeyPart> key, int count)
    {
        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            names[i] = key[i].Name;
        }

        return string.Join('.', names);
    }
}
