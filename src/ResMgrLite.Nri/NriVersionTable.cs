namespace ResMgrLite.Nri;

/// <summary>
/// Which NRI version a runtime release links, for runtimes that do not say (everything before
/// NRI v0.12, docs/nri-rules.md §5.6). Facts from NRI's own table (<c>pkg/api/version.go</c>) and the runtimes'
/// <c>go.mod</c> (docs/nri-rules.md §0.1). Each entry is the first release of a range; a version between
/// entries, or a patch release newer than the table, takes the closest entry at or below it, as
/// NRI's <c>FindClosestMatch</c> does. Anything older than the table is unknown.
/// </summary>
internal static class NriVersionTable
{
    // (runtime, first release of the range, NRI version it links)
    private static readonly (string Runtime, RuntimeRelease Since, RuntimeRelease Nri)[] Entries =
    [
        ("containerd", new(1, 7, 0), new(0, 3, 0)),
        ("containerd", new(1, 7, 7), new(0, 4, 0)),
        ("containerd", new(1, 7, 14), new(0, 6, 0)),
        ("containerd", new(1, 7, 16), new(0, 6, 1)),   // Debian's 1.7.24 too (docs/nri-rules.md §0.1)
        ("containerd", new(1, 7, 26), new(0, 8, 0)),
        ("containerd", new(2, 0, 0), new(0, 8, 0)),
        ("containerd", new(2, 1, 0), new(0, 8, 0)),
        ("containerd", new(2, 2, 0), new(0, 10, 0)),
        ("containerd", new(2, 2, 1), new(0, 11, 0)),
        ("containerd", new(2, 3, 0), new(0, 12, 0)),
        ("containerd", new(2, 4, 0), new(0, 12, 1)),   // 2.4.0-beta.0
        ("cri-o", new(1, 31, 0), new(0, 6, 1)),
        ("cri-o", new(1, 32, 0), new(0, 9, 0)),
        ("cri-o", new(1, 33, 0), new(0, 9, 1)),        // a v0.9.1 pre-release
        ("cri-o", new(1, 34, 0), new(0, 10, 0)),
        ("cri-o", new(1, 35, 0), new(0, 11, 0)),
        // CRI-O 1.36 is not in NRI's table: it takes 1.35's entry. A runtime on NRI v0.12 or later
        // reports its version itself, so one that does not is at most v0.11 anyway.
    ];

    /// <summary>The NRI version <paramref name="runtimeName"/> <paramref name="runtimeVersion"/> links, if the table knows.</summary>
    public static bool TryInfer(string runtimeName, string runtimeVersion, out RuntimeRelease nri)
    {
        nri = default;
        if (!RuntimeRelease.TryParse(runtimeVersion, out RuntimeRelease release))
        {
            return false;
        }

        bool found = false;
        RuntimeRelease best = default;
        foreach ((string runtime, RuntimeRelease since, RuntimeRelease linked) in Entries)
        {
            if (string.Equals(runtime, runtimeName, StringComparison.OrdinalIgnoreCase)
                && since <= release && (!found || since >= best))
            {
                best = since;
                nri = linked;
                found = true;
            }
        }

        return found;
    }
}
