using System.Globalization;
using ResMgrLite.Nri.Api;

namespace ResMgrLite.Nri;

/// <summary>What the ConfigureRequest tells about the runtime on the other end.</summary>
public sealed record NriRuntimeInfo(
    string Name,
    string Version,
    string NriVersion,
    TimeSpan RegistrationTimeout,
    TimeSpan RequestTimeout,
    NriApiLevel Level)
{
    /// <summary>Request timeout NRI uses when the runtime does not say (spec §1.1: 2 s).</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The event bits this runtime accepts; anything else makes it drop the plugin.</summary>
    public NriEventMask SupportedEvents => Level >= NriApiLevel.V0_10 ? NriEventMask.AllV010 : NriEventMask.AllV061;

    /// <summary>
    /// Detects the level: NRI_version (v0.12+) when sent; otherwise containerd's own version
    /// through NRI's version table (2.2 → v0.10, 2.3+ → v0.12); otherwise the v0.7 timeout fields;
    /// otherwise v0.6 (spec §5.1, §5.6). Errs towards the older level, which is always safe.
    /// </summary>
    public static NriRuntimeInfo FromConfigure(ConfigureRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        NriApiLevel level = NriApiLevel.V0_6;
        if (request.RegistrationTimeout > 0 || request.RequestTimeout > 0)
        {
            level = NriApiLevel.V0_7;
        }

        if (TryParseMajorMinor(request.NRIVersion, out int nriMajor, out int nriMinor) && nriMajor == 0)
        {
            level = Max(level, nriMinor >= 12 ? NriApiLevel.V0_12 : nriMinor >= 10 ? NriApiLevel.V0_10 : nriMinor >= 7 ? NriApiLevel.V0_7 : NriApiLevel.V0_6);
        }
        else if (request.RuntimeName == "containerd" && TryParseMajorMinor(request.RuntimeVersion, out int major, out int minor))
        {
            if (major > 2 || (major == 2 && minor >= 3))
            {
                level = Max(level, NriApiLevel.V0_12);
            }
            else if (major == 2 && minor == 2)
            {
                level = Max(level, NriApiLevel.V0_10);
            }
        }

        return new NriRuntimeInfo(
            request.RuntimeName,
            request.RuntimeVersion,
            request.NRIVersion,
            request.RegistrationTimeout > 0 ? TimeSpan.FromMilliseconds(request.RegistrationTimeout) : TimeSpan.FromSeconds(5),
            request.RequestTimeout > 0 ? TimeSpan.FromMilliseconds(request.RequestTimeout) : DefaultRequestTimeout,
            level);
    }

    private static NriApiLevel Max(NriApiLevel a, NriApiLevel b) => a > b ? a : b;

    /// <summary>Reads "v1.7.24", "1.7.24~ds1", "2.3.0-beta.0" as (major, minor).</summary>
    internal static bool TryParseMajorMinor(string version, out int major, out int minor)
    {
        major = 0;
        minor = 0;
        ReadOnlySpan<char> text = version.AsSpan().Trim();
        if (text.StartsWith("v"))
        {
            text = text[1..];
        }

        int firstDot = text.IndexOf('.');
        if (firstDot <= 0)
        {
            return false;
        }

        ReadOnlySpan<char> rest = text[(firstDot + 1)..];
        int minorEnd = 0;
        while (minorEnd < rest.Length && char.IsAsciiDigit(rest[minorEnd]))
        {
            minorEnd++;
        }

        return int.TryParse(text[..firstDot], NumberStyles.None, CultureInfo.InvariantCulture, out major)
            && int.TryParse(rest[..minorEnd], NumberStyles.None, CultureInfo.InvariantCulture, out minor);
    }
}
