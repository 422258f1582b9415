using System.Globalization;

namespace ResMgrLite.Config.Validation;

/// <summary>
/// Go duration strings as the kubelet configuration uses them ("10s", "1m30s", "500ms", "1.5h").
/// </summary>
internal static class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text == "0")
        {
            return true;
        }

        double totalTicks = 0;
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
            {
                return false;
            }

            int unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.')
            {
                i++;
            }

            double ticksPerUnit = text[unitStart..i] switch
            {
                "ns" => 0.01,
                "us" or "µs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => double.NaN,
            };
            if (double.IsNaN(ticksPerUnit))
            {
                return false;
            }

            totalTicks += amount * ticksPerUnit;
        }

        if (totalTicks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)totalTicks);
        return true;
    }

    /// <summary>The shortest Go form of whole seconds or milliseconds ("10s", "1m30s", "250ms").</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        if (duration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return $"{duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
        }

        var text = new System.Text.StringBuilder();
        if (duration.TotalHours >= 1)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(long)duration.TotalHours}h");
        }

        if (duration.Minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Minutes}m");
        }

        if (duration.Seconds > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Seconds}s");
        }

        return text.ToString();
    }
}
