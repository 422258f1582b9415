using System.Globalization;
using System.Text;

namespace ResMgrLite.Config.Toml;

/// <summary>
/// A TOML date, time or date-time exactly as written (TOML 1.0 "Offset Date-Time", "Local
/// Date-Time", "Local Date", "Local Time"). Fractional seconds keep up to nine digits; extra
/// digits are truncated, as the spec asks.
/// </summary>
internal readonly record struct TomlDateTime(
    TomlNodeKind Kind,
    int Year,
    int Month,
    int Day,
    int Hour,
    int Minute,
    int Second,
    int Nanosecond,
    int FractionDigits,
    int OffsetMinutes,
    bool IsUtcDesignator)
{
    private bool HasDate => Kind is TomlNodeKind.OffsetDateTime or TomlNodeKind.LocalDateTime or TomlNodeKind.LocalDate;

    private bool HasTime => Kind is not TomlNodeKind.LocalDate;

    /// <summary>
    /// RFC 3339 with a 'T' separator and upper-case 'Z', fractions shown with at least
    /// millisecond digits — the form toml-test's tagged JSON uses.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder(35);
        if (HasDate)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}-{Day:D2}");
            if (HasTime)
            {
                text.Append('T');
            }
        }

        if (HasTime)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Hour:D2}:{Minute:D2}:{Second:D2}");
            if (FractionDigits > 0)
            {
                int shown = Math.Max(3, FractionDigits);
                string nine = Nanosecond.ToString("D9", CultureInfo.InvariantCulture);
                text.Append('.').Append(nine, 0, shown);
            }
        }

        if (Kind == TomlNodeKind.OffsetDateTime)
        {
            if (IsUtcDesignator)
            {
                text.Append('Z');
            }
            else
            {
                int magnitude = Math.Abs(OffsetMinutes);
                text.Append(OffsetMinutes < 0 ? '-' : '+')
                    .Append(CultureInfo.InvariantCulture, $"{magnitude / 60:D2}:{magnitude % 60:D2}");
            }
        }

        return text.ToString();
    }
}
