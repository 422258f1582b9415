using System.Globalization;

namespace ResMgrLite.Config.Validation;

/// <summary>
/// Kubernetes resource quantities ("1Gi", "500m", "1.5", "2e3", "128974848"): a decimal number
/// with an optional binary (Ki…Ei), decimal (n, u, m, k, M, G, T, P, E) or exponent suffix.
/// Values are exact decimals; callers round up to whole bytes or millicores as the kubelet does.
/// </summary>
internal static class Quantity
{
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        int end = 0;
        if (text[0] is '+' or '-')
        {
            end = 1;
        }

        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }

        string number = text[..end];
        string suffix = text[end..];
        if (number.Length == 0 || number is "+" or "-" || number.IndexOf('.', StringComparison.Ordinal) != number.LastIndexOf('.') || number.EndsWith('.')
            || !decimal.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal mantissa))
        {
            return false;
        }

        decimal multiplier;
        if (suffix.Length > 1 && suffix[0] is 'e' or 'E' && suffix != "Ei")
        {
            if (!int.TryParse(suffix.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int exponent) || exponent is < -18 or > 18)
            {
                return false;
            }

            multiplier = Pow10(exponent);
        }
        else
        {
            switch (suffix)
            {
                case "": multiplier = 1; break;
                case "n": multiplier = 0.000000001m; break;
                case "u": multiplier = 0.000001m; break;
                case "m": multiplier = 0.001m; break;
                case "k": multiplier = 1e3m; break;
                case "M": multiplier = 1e6m; break;
                case "G": multiplier = 1e9m; break;
                case "T": multiplier = 1e12m; break;
                case "P": multiplier = 1e15m; break;
                case "E": multiplier = 1e18m; break;
                case "Ki": multiplier = 1L << 10; break;
                case "Mi": multiplier = 1L << 20; break;
                case "Gi": multiplier = 1L << 30; break;
                case "Ti": multiplier = 1L << 40; break;
                case "Pi": multiplier = 1L << 50; break;
                case "Ei": multiplier = 1L << 60; break;
                default: return false;
            }
        }

        try
        {
            value = mantissa * multiplier;
        }
        catch (OverflowException)
        {
            return false;
        }

        return true;
    }

    /// <summary>
    /// A non-negative amount of bytes, rounded up to a whole byte like <c>Quantity.Value()</c>; false
    /// with the reason in words for anything else.
    /// </summary>
    public static bool TryParseBytes(string text, out long bytes, out string? error)
    {
        bytes = 0;
        error = null;
        string trimmed = text.Trim();
        if (!TryParse(trimmed, out decimal value))
        {
            error = $"\"{trimmed}\" is not a Kubernetes quantity (e.g. 256Mi, 1Gi, 500M, 1073741824)";
            return false;
        }
        if (value < 0)
        {
            error = $"\"{trimmed}\" is negative";
            return false;
        }
        if (!TryToInt64Ceiling(value, out bytes))
        {
            error = $"\"{trimmed}\" is too large";
            return false;
        }
        return true;
    }

    /// <summary>Whole units, rounded up (the kubelet's <c>Quantity.Value()</c>); false if it does not fit in 64 bits.</summary>
    public static bool TryToInt64Ceiling(decimal value, out long result)
    {
        decimal ceiling = decimal.Ceiling(value);
        if (ceiling < long.MinValue || ceiling > long.MaxValue)
        {
            result = 0;
            return false;
        }

        result = (long)ceiling;
        return true;
    }

    private static decimal Pow10(int exponent)
    {
        decimal result = 1;
        for (int i = 0; i < Math.Abs(exponent); i++)
        {
            result *= 10;
        }

        return exponent < 0 ? 1 / result : result;
    }
}
