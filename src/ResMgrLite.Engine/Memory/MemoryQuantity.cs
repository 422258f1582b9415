using System.Globalization;

namespace ResMgrLite.Engine.Memory;

/// <summary>
/// Kubernetes quantities for byte amounts: plain integers, binary suffixes (Ki Mi Gi Ti Pi Ei),
/// decimal suffixes (k M G T P E) and decimal exponents (1e9); fractions round up to a whole byte,
/// like <c>Quantity.Value()</c>.
/// </summary>
public static class MemoryQuantity
{
    /// <summary>Parses <paramref name="text"/>; false with a reason for anything else (negative, milli, overflow).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long bytes, out string? error)
    {
        bytes = 0;
        error = null;
        text = text.Trim();
        int end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }
        if (end == 0)
        {
            error = $"\"{text}\" is not a quantity: it must start with a number (e.g. 256Mi, 1Gi, 500M, 1073741824)";
            return false;
        }
        if (!decimal.TryParse(text[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
        {
            error = $"\"{text}\" is not a quantity: \"{text[..end]}\" is not a number";
            return false;
        }
        ReadOnlySpan<char> suffix = text[end..];
        decimal multiplier;
        if (suffix.Length > 1 && (suffix[0] == 'e' || suffix[0] == 'E') && int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int exponent) && exponent is >= 0 and <= 18)
        {
            multiplier = Pow(10, exponent);
        }
        else
        {
            multiplier = suffix switch
            {
                "" => 1,
                "Ki" => 1L << 10,
                "Mi" => 1L << 20,
                "Gi" => 1L << 30,
                "Ti" => 1L << 40,
                "Pi" => 1L << 50,
                "Ei" => 1L << 60,
                "k" => 1_000,
                "M" => 1_000_000,
                "G" => 1_000_000_000,
                "T" => 1_000_000_000_000,
                "P" => 1_000_000_000_000_000,
                "E" => 1_000_000_000_000_000_000,
                _ => -1,
            };
            if (multiplier < 0)
            {
                error = $"\"{text}\" has an unknown suffix \"{suffix}\" (valid: Ki Mi Gi Ti Pi Ei, k M G T P E, or none)";
                return false;
            }
        }
        decimal value;
        try
        {
            value = decimal.Ceiling(number * multiplier);
        }
        catch (OverflowException)
        {
            error = $"\"{text}\" is too large";
            return false;
        }
        if (value > long.MaxValue)
        {
            error = $"\"{text}\" is too large";
            return false;
        }
        bytes = (long)value;
        return true;
    }

    private static decimal Pow(int b, int e)
    {
        decimal result = 1;
        for (int i = 0; i < e; i++)
        {
            result *= b;
        }
        return result;
    }
}
