using ResMgrLite.Nri.Api;

namespace ResMgrLite.Nri;

/// <summary>What the ConfigureRequest tells about the runtime on the other end.</summary>
/// <param name="NriVersion">ConfigureRequest.NRI_version as sent; empty before NRI v0.12.</param>
internal sealed record NriRuntimeInfo(
    string Name,
    string Version,
    string NriVersion,
    TimeSpan RegistrationTimeout,
    TimeSpan RequestTimeout,
    NriApiLevel Level)
{
    /// <summary>Request timeout NRI uses when the runtime does not say (docs/nri-rules.md §1.1: 2 s).</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The runtime's NRI version as detected, e.g. "v0.8" or "v0.12.2"; empty when unknown.</summary>
    public string DetectedNriVersion { get; init; } = "";

    public NriLevelSource LevelSource { get; init; } = NriLevelSource.Assumed;

    /// <summary>The event bits this runtime accepts; anything else makes it drop the plugin.</summary>
    public NriEventMask SupportedEvents => Level >= NriApiLevel.V0_10 ? NriEventMask.AllV010 : NriEventMask.AllV061;

    /// <summary>
    /// Detects the level (docs/nri-rules.md §5.1, §5.6): ConfigureRequest.NRI_version when sent (only v0.12+
    /// runtimes have the field, so any value there means v0.12+); otherwise the runtime's name and
    /// version through <see cref="NriVersionTable"/>; otherwise the v0.7 timeout fields; otherwise
    /// v0.6. Errs towards the older level, which is always safe.
    /// </summary>
    public static NriRuntimeInfo FromConfigure(ConfigureRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        bool hasTimeouts = request.RegistrationTimeout > 0 || request.RequestTimeout > 0;
        NriApiLevel level;
        string detected;
        NriLevelSource source;
        if (request.NRIVersion.Length > 0)
        {
            level = RuntimeRelease.TryParse(request.NRIVersion, out RuntimeRelease reported) ? Max(LevelOf(reported), NriApiLevel.V0_12) : NriApiLevel.V0_12;
            detected = request.NRIVersion;
            source = NriLevelSource.Reported;
        }
        else if (NriVersionTable.TryInfer(request.RuntimeName, request.RuntimeVersion, out RuntimeRelease inferred))
        {
            level = Max(LevelOf(inferred), hasTimeouts ? NriApiLevel.V0_7 : NriApiLevel.V0_6);
            detected = inferred.ToShortString();
            source = NriLevelSource.RuntimeVersion;
        }
        else
        {
            level = hasTimeouts ? NriApiLevel.V0_7 : NriApiLevel.V0_6;
            detected = "";
            source = hasTimeouts ? NriLevelSource.TimeoutFields : NriLevelSource.Assumed;
        }

        return new NriRuntimeInfo(
            request.RuntimeName,
            request.RuntimeVersion,
            request.NRIVersion,
            request.RegistrationTimeout > 0 ? TimeSpan.FromMilliseconds(request.RegistrationTimeout) : TimeSpan.FromSeconds(5),
            request.RequestTimeout > 0 ? TimeSpan.FromMilliseconds(request.RequestTimeout) : DefaultRequestTimeout,
            level)
        {
            DetectedNriVersion = detected,
            LevelSource = source,
        };
    }

    /// <summary>
    /// One line in words for the log, e.g. "runtime containerd 2.1.9, NRI v0.8 (inferred from the
    /// runtime version): pod resize events not available".
    /// </summary>
    public string Describe()
    {
        string runtime = Name.Length == 0 && Version.Length == 0 ? "runtime unknown" : $"runtime {Name} {Version}".TrimEnd();
        string nri = LevelSource switch
        {
            NriLevelSource.Reported => $"NRI {DetectedNriVersion}",
            NriLevelSource.RuntimeVersion => $"NRI {DetectedNriVersion} (inferred from the runtime version)",
            NriLevelSource.TimeoutFields => "NRI v0.7 or later (version unknown; the runtime sends request timeouts)",
            _ => "NRI version unknown (assuming v0.6, the oldest)",
        };
        string capabilities = Level switch
        {
            NriApiLevel.V0_6 => "pod resize events not available; pre-launched plugins get no Synchronize",
            NriApiLevel.V0_7 => "pod resize events not available",
            NriApiLevel.V0_10 => "pod resize events available (UpdatePodSandbox, PostUpdatePodSandbox)",
            _ => "pod resize events available (UpdatePodSandbox, PostUpdatePodSandbox); events arrive as dedicated calls",
        };
        return $"{runtime}, {nri}: {capabilities}";
    }

    private static NriApiLevel LevelOf(RuntimeRelease nri) =>
        nri.Major > 0 || nri.Minor >= 12 ? NriApiLevel.V0_12
        : nri.Minor >= 10 ? NriApiLevel.V0_10
        : nri.Minor >= 7 ? NriApiLevel.V0_7
        : NriApiLevel.V0_6;

    private static NriApiLevel Max(NriApiLevel a, NriApiLevel b) => a > b ? a : b;
}
