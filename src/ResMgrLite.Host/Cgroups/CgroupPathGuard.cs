namespace ResMgrLite.Host.Cgroups;

/// <summary>
/// Keeps cgroup paths built from runtime input (a pod's cgroup parent, its UID) inside the
/// kubelet's tree. A path is accepted only as a plain relative path, leading and doubled slashes
/// and "." segments aside, whose first segments are the configured kubepods root (cgroupfs
/// <c>kubepods</c>, systemd <c>kubepods.slice</c>, either below a custom cgroup root). ".." is
/// refused rather than resolved: the kubelet never sends it. Symbolic links on the way are the
/// file access's concern (<see cref="CgroupFileAccess"/>), which opens every component without
/// following them.
/// </summary>
internal sealed class CgroupPathGuard
{
    private readonly string[] _root;

    /// <param name="kubepodsRoot">The kubepods cgroup relative to the cgroup mount, e.g. <c>kubepods</c> or <c>kubepods.slice</c>.</param>
    public CgroupPathGuard(string kubepodsRoot)
    {
        ArgumentNullException.ThrowIfNull(kubepodsRoot);
        if (!TrySplit(kubepodsRoot, out string[] root, out string? problem) || root.Length == 0)
        {
            throw new ArgumentException($"the kubepods cgroup \"{Files.ErrorText.Quote(kubepodsRoot)}\" is not a plain relative cgroup path{(problem is null ? "" : $": {problem}")}", nameof(kubepodsRoot));
        }
        _root = root;
        KubepodsRoot = string.Join('/', root);
    }

    public string KubepodsRoot { get; }

    /// <summary>The canonical form of <paramref name="cgroup"/> ("a/b/c"), or why it is refused.</summary>
    public bool TryCanonicalize(string? cgroup, out string canonical, out string? refusal)
    {
        canonical = "";
        if (!TrySplit(cgroup, out string[] segments, out refusal))
        {
            return false;
        }
        if (segments.Length < _root.Length || !segments.AsSpan(0, _root.Length).SequenceEqual(_root))
        {
            refusal = $"it is outside the kubelet's cgroup tree {KubepodsRoot}";
            return false;
        }
        canonical = string.Join('/', segments);
        return true;
    }

    /// <summary>A cgroup file name: one plain path component.</summary>
    public static bool IsPlainFileName(string? name) =>
        !string.IsNullOrEmpty(name) && name is not ("." or "..") && !name.Contains('/', StringComparison.Ordinal) && !HasControlCharacter(name);

    private static bool TrySplit(string? path, out string[] segments, out string? problem)
    {
        segments = [];
        problem = null;
        if (string.IsNullOrEmpty(path))
        {
            problem = "the path is empty";
            return false;
        }
        if (HasControlCharacter(path))
        {
            problem = "the path holds control characters";
            return false;
        }
        var kept = new List<string>();
        foreach (string segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..")
            {
                problem = "the path climbs with \"..\"";
                return false;
            }
            if (segment != ".")
            {
                kept.Add(segment);
            }
        }
        segments = [.. kept];
        return true;
    }

    private static bool HasControlCharacter(string text)
    {
        foreach (char c in text)
        {
            if (c < ' ' || c == '\x7f')
            {
                return true;
            }
        }
        return false;
    }
}
