namespace ResMgrLite.Config.Toml;

/// <summary>
/// The RFC 3339 subset of TOML 1.0 ("Offset Date-Time" … "Local Time"): full-date, partial-time
/// with seconds required, optional fraction, 'T'/'t'/space separator, 'Z'/'z' or ±hh:mm offset.
/// </summary>
internal ref partial struct TomlParser
{
    private readonly bool LooksLikeDate() =>
        IsDigitAt(0) && IsDigitAt(1) && IsDigitAt(2) && IsDigitAt(3) && Peek(4) == '-';

    private readonly bool LooksLikeTime() => IsDigitAt(0) && IsDigitAt(1) && Peek(2) == ':';

    private readonly bool IsDigitAt(int ahead)
    {
        int b = Peek(ahead);
        return b >= '0' && b <= '9';
    }

    private TomlDateTime ParseDateTime()
    {
        int year = 0, month = 0, day = 0;
        bool hasDate = LooksLikeDate();
        if (hasDate)
        {
            year = ReadFixedDigits(4, "the year (4 digits)");
            ExpectByte('-', "'-' between year and month");
            month = ReadFixedDigits(2, "the month (2 digits)");
            ExpectByte('-', "'-' between month and day");
            int dayOffset = _pos;
            day = ReadFixedDigits(2, "the day (2 digits)");
            if (month is < 1 or > 12)
            {
                ThrowAt(dayOffset - 3, $"month {month:D2} is out of range 01-12");
            }

            if (day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month))
            {
                ThrowAt(dayOffset, $"day {day:D2} does not exist in {year:D4}-{month:D2}");
            }

            // time-delim = "T" / %x20 ; a space only counts when a time follows it
            int b = Peek();
            bool timeFollows = b == 'T' || b == 't' || (b == ' ' && IsDigitAt(1) && IsDigitAt(2) && Peek(3) == ':');
            if (!timeFollows)
            {
                return new TomlDateTime(TomlNodeKind.LocalDate, year, month, day, 0, 0, 0, 0, 0, 0, false);
            }

            _pos++;
        }

        int hourOffset = _pos;
        int hour = ReadFixedDigits(2, "the hour (2 digits)");
        ExpectByte(':', "':' between hour and minute");
        int minute = ReadFixedDigits(2, "the minute (2 digits)");
        ExpectByte(':', "':' between minute and second (seconds are required in TOML 1.0)");
        int second = ReadFixedDigits(2, "the second (2 digits)");
        // time-second allows 60 for a leap second (spec ABNF).
        if (hour > 23 || minute > 59 || second > 60)
        {
            ThrowAt(hourOffset, $"time {hour:D2}:{minute:D2}:{second:D2} is out of range (hour 00-23, minute 00-59, second 00-60)");
        }

        int nanosecond = 0, fractionDigits = 0;
        if (Peek() == '.')
        {
            _pos++;
            if (!IsDigitAt(0))
            {
                ThrowUnexpected("expected a digit after the '.' of the fractional seconds");
            }

            while (IsDigitAt(0))
            {
                // Digits beyond nanoseconds are dropped (truncated, not rounded), as the spec asks.
                if (fractionDigits < 9)
                {
                    nanosecond = (nanosecond * 10) + (_text[_pos] - '0');
                    fractionDigits++;
                }

                _pos++;
            }

            for (int i = fractionDigits; i < 9; i++)
            {
                nanosecond *= 10;
            }
        }

        if (!hasDate)
        {
            return new TomlDateTime(TomlNodeKind.LocalTime, 0, 0, 0, hour, minute, second, nanosecond, fractionDigits, 0, false);
        }

        int offsetByte = Peek();
        if (offsetByte == 'Z' || offsetByte == 'z')
        {
            _pos++;
            return new TomlDateTime(TomlNodeKind.OffsetDateTime, year, month, day, hour, minute, second, nanosecond, fractionDigits, 0, true);
        }

        if (offsetByte == '+' || offsetByte == '-')
        {
            int offsetStart = _pos;
            _pos++;
            int offsetHour = ReadFixedDigits(2, "the offset hour (2 digits)");
            ExpectByte(':', "':' in the time offset (±hh:mm)");
            int offsetMinute = ReadFixedDigits(2, "the offset minute (2 digits)");
            if (offsetHour > 23 || offsetMinute > 59)
            {
                ThrowAt(offsetStart, $"time offset {(char)offsetByte}{offsetHour:D2}:{offsetMinute:D2} is out of range (hour 00-23, minute 00-59)");
            }

            int minutes = (offsetHour * 60) + offsetMinute;
            return new TomlDateTime(TomlNodeKind.OffsetDateTime, year, month, day, hour, minute, second, nanosecond, fractionDigits,
                offsetByte == '-' ? -minutes : minutes, false);
        }

        return new TomlDateTime(TomlNodeKind.LocalDateTime, year, month, day, hour, minute, second, nanosecond, fractionDigits, 0, false);
    }

    private int ReadFixedDigits(int count, string what)
    {
        int value = 0;
        for (int i = 0; i < count; i++)
        {
            if (!IsDigitAt(0))
            {
                ThrowUnexpected($"expected {what}");
            }

            value = (value * 10) + (_text[_pos] - '0');
            _pos++;
        }

        return value;
    }

    private void ExpectByte(char expected, string what)
    {
        if (Peek() != expected)
        {
            ThrowUnexpected($"expected {what}");
        }

        _pos++;
    }
}
