using System.Globalization;

namespace ResMgrLite.Nri;

/// <summary>
/// A major.minor.patch release number as runtimes and NRI print them: "v2.1.9", "1.7.24~ds1",
/// "2.4.0-beta.0", "v0.12.2". Whatever follows the numbers (distribution suffixes, pre-release
/// tags) is ignored; a missing patch is 0.
/// </summary>
internal readonly record struct RuntimeRelease(int Major, int Minor, int Patch) : IComparable<RuntimeRelease>
{
    public static bool TryParse(string? text, out RuntimeRelease release)
    {
        release = default;
        ReadOnlySpan<char> rest = (text ?? "").AsSpan().Trim();
        if (rest.StartsWith("v"))
        {
            rest = rest[1..];
        }

        if (!TryTakeNumber(ref rest, out int major) || !rest.StartsWith("."))
        {
            return false;
        }

        rest = rest[1..];
        if (!TryTakeNumber(ref rest, out int minor))
        {
            return false;
        }

        int patch = 0;
        if (rest.StartsWith(".") && rest.Length > 1 && char.IsAsciiDigit(rest[1]))
        {
            rest = rest[1..];
            TryTakeNumber(ref rest, out patch);
        }

        release = new RuntimeRelease(major, minor, patch);
        return true;
    }

    public int CompareTo(RuntimeRelease other) =>
        Major != other.Major ? Major.CompareTo(other.Major)
        : Minor != other.Minor ? Minor.CompareTo(other.Minor)
        : Patch.CompareTo(other.Patch);

    /// <summary>"v0.8", the way a level is named in words.</summary>
    public string ToShortString() => string.Create(CultureInfo.InvariantCulture, $"v{Major}.{Minor}");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"v{Major}.{Minor}.{Patch}");

    private static bool TryTakeNumber(ref ReadOnlySpan<char> text, out int value)
    {
        int digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        bool ok = int.TryParse(text[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out value);
        text = text[digits..];
        return ok;
    }

    public static bool operator <(RuntimeRelease left, RuntimeRelease right) => left.CompareTo(right) < 0;

    public static bool operator >(RuntimeRelease left, RuntimeRelease right) => left.CompareTo(right) > 0;

    public static bool operator <=(RuntimeRelease left, RuntimeRelease right) => left.CompareTo(right) <= 0;

    public static bool operator >=(RuntimeRelease left, RuntimeRelease right) => left.CompareTo(right) >= 0;
}
