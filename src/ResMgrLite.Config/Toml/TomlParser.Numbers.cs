using System.Globalization;

namespace ResMgrLite.Config.Toml;

/// <summary>Integers, floats and the dispatch to date-times (TOML 1.0 "Integer", "Float").</summary>
internal ref partial struct TomlParser
{
    private TomlNode ParseNumberOrDateTime()
    {
        int start = _pos;
        if (LooksLikeDate() || LooksLikeTime())
        {
            return TomlScalar.DateTime(ParseDateTime(), PositionAt(start));
        }

        // The number token: everything a number may contain. Its grammar is checked below, so
        // "1__2", "0x" or "1e" fail with a message pointing into the token.
        int end = _pos;
        while (end < _text.Length && IsNumberByte(_text[end]))
        {
            end++;
        }

        var token = _text[start..end];
        var value = ParseNumberToken(token, start);
        _pos = end;
        return value;
    }

    private static bool IsNumberByte(byte b) =>
        (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_' || b == '+' || b == '-' || b == '.';

    private readonly TomlScalar ParseNumberToken(ReadOnlySpan<byte> token, int start)
    {
        var position = PositionAt(start);
        int i = 0;
        bool negative = false;
        bool signed = token.Length > 0 && (token[0] == '+' || token[0] == '-');
        if (signed)
        {
            negative = token[0] == '-';
            i = 1;
        }

        var rest = token[i..];
        if (rest.SequenceEqual("inf"u8))
        {
            return TomlScalar.Float(negative ? double.NegativeInfinity : double.PositiveInfinity, position);
        }

        if (rest.SequenceEqual("nan"u8))
        {
            return TomlScalar.Float(double.NaN, position);
        }

        if (rest.Length >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'o' || rest[1] == 'b'))
        {
            if (signed)
            {
                ThrowAt(start, "hexadecimal, octal and binary integers cannot have a sign");
            }

            return TomlScalar.Integer(ParsePrefixedInteger(token, start), position);
        }

        // float-int-part / dec-int: digits with single underscores between them, no leading zero.
        int intStart = i;
        i = ScanDigits(token, i, start, "a decimal digit");
        if (token[intStart] == '0' && i - intStart > 1)
        {
            ThrowAt(start + intStart, "leading zeros are not allowed in decimal numbers");
        }

        bool isFloat = false;
        if (i < token.Length && token[i] == '.')
        {
            isFloat = true;
            i = ScanDigits(token, i + 1, start, "a digit after the decimal point");
        }

        if (i < token.Length && (token[i] == 'e' || token[i] == 'E'))
        {
            isFloat = true;
            i++;
            if (i < token.Length && (token[i] == '+' || token[i] == '-'))
            {
                i++;
            }

            i = ScanDigits(token, i, start, "a digit in the exponent");
        }

        if (i != token.Length)
        {
            ThrowAt(start + i, $"unexpected {DescribeByte(token[i])} in a number; expected a digit, '_', '.', or an exponent");
        }

        Span<char> digits = stackalloc char[token.Length];
        int length = 0;
        foreach (byte b in token)
        {
            if (b != '_')
            {
                digits[length++] = (char)b;
            }
        }

        if (isFloat)
        {
            double value = double.Parse(digits[..length], NumberStyles.Float, CultureInfo.InvariantCulture);
            if (double.IsInfinity(value))
            {
                ThrowAt(start, "the float is too large for a 64-bit IEEE 754 double");
            }

            return TomlScalar.Float(value, position);
        }

        if (!long.TryParse(digits[..length], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
        {
            ThrowAt(start, "the integer does not fit in 64 bits (range -9223372036854775808 to 9223372036854775807)");
        }

        return TomlScalar.Integer(integer, position);
    }

    /// <summary>
    /// DIGIT *( DIGIT / "_" DIGIT ): at least one digit, and every underscore between two digits.
    /// Returns the index after the digits.
    /// </summary>
    private readonly int ScanDigits(ReadOnlySpan<byte> token, int i, int tokenOffset, string expected)
    {
        if (i >= token.Length || !char.IsAsciiDigit((char)token[i]))
        {
            ThrowAt(tokenOffset + i, i >= token.Length ? $"expected {expected}, found the end of the number" : $"expected {expected}, found {DescribeByte(token[i])}");
        }

        i++;
        while (i < token.Length)
        {
            if (char.IsAsciiDigit((char)token[i]))
            {
                i++;
            }
            else if (token[i] == '_')
            {
                if (i + 1 >= token.Length || !char.IsAsciiDigit((char)token[i + 1]))
                {
                    ThrowAt(tokenOffset + i, "an underscore in a number must stand between two digits");
                }

                i++;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    // hex-int = "0x" HEXDIG *( HEXDIG / "_" HEXDIG ), likewise oct-int "0o" and bin-int "0b"
    private readonly long ParsePrefixedInteger(ReadOnlySpan<byte> token, int start)
    {
        int radix = token[1] switch { (byte)'x' => 16, (byte)'o' => 8, _ => 2 };
        string name = radix switch { 16 => "hexadecimal", 8 => "octal", _ => "binary" };
        ulong value = 0;
        bool previousWasDigit = false;
        for (int i = 2; i < token.Length; i++)
        {
            byte b = token[i];
            if (b == '_')
            {
                if (!previousWasDigit || i + 1 >= token.Length || token[i + 1] == '_')
                {
                    ThrowAt(start + i, "an underscore in a number must stand between two digits");
                }

                previousWasDigit = false;
                continue;
            }

            int digit = HexValue(b);
            if (digit < 0 || digit >= radix)
            {
                ThrowAt(start + i, $"expected a {name} digit, found {DescribeByte(b)}");
            }

            if (value > (ulong)(long.MaxValue - digit) / (ulong)radix)
            {
                ThrowAt(start, "the integer does not fit in 64 bits (maximum 9223372036854775807)");
            }

            value = (value * (ulong)radix) + (ulong)digit;
            previousWasDigit = true;
        }

        if (token.Length == 2)
        {
            ThrowAt(start + 2, $"expected a {name} digit after '0{(char)token[1]}'");
        }

        return (long)value;
    }
}
