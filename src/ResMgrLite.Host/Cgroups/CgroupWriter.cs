using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Host.Files;

namespace ResMgrLite.Host.Cgroups;

/// <summary>
/// Applies an ordered plan of cgroup file writes (pod and QoS-class cgroups: Memory QoS §6.4, §6.5
/// of docs/kubelet-rules.md, the pod CFS quota §5.7) directly, contained and all or nothing:
/// <list type="bullet">
/// <item>every cgroup path, which may come from the runtime (a pod's cgroup parent, its UID), must
///   stay inside the kubepods tree (<see cref="CgroupPathGuard"/>) and is opened without following
///   symbolic links (<see cref="CgroupFileAccess"/>); a plan with one refused path writes nothing,
///   and the refusal is logged with the plan's subject (the pod);</item>
/// <item>a cgroup directory that has vanished (its pod is gone) is logged and its writes skipped —
///   there is nothing left to protect;</item>
/// <item>any other failure stops the plan and restores the previous value of every file already
///   written, in reverse order, so no half-applied change is left behind; a kernel refusal
///   (EINVAL) is reported with the file and the value.</item>
/// </list>
/// Every writer of cgroup files goes through this class, so containment needs no code at the callers.
/// </summary>
internal sealed class CgroupWriter
{
    private const int NotFound = 2;       // ENOENT
    private const int Invalid = 22;       // EINVAL
    private const int Denied = 13;        // EACCES
    private const int NotPermitted = 1;   // EPERM

    private readonly CgroupPathGuard _guard;
    private readonly ICgroupFileAccess _files;
    private readonly Action<string> _log;

    /// <param name="cgroupRoot">The cgroup mount (the v2 mount, normally <c>/sys/fs/cgroup</c>, or a v1 controller hierarchy).</param>
    /// <param name="kubepodsRoot">The kubepods cgroup relative to the mount (<c>kubepods</c>, <c>kubepods.slice</c>, with a custom cgroup root in front): nothing outside it is read or written.</param>
    /// <param name="log">Receives one line per refused plan, skipped write and rollback problem.</param>
    public CgroupWriter(string cgroupRoot, string kubepodsRoot, Action<string>? log = null)
        : this(cgroupRoot, kubepodsRoot, new CgroupFileAccess(cgroupRoot), log)
    {
    }

    internal CgroupWriter(string cgroupRoot, string kubepodsRoot, ICgroupFileAccess files, Action<string>? log)
    {
        Root = cgroupRoot;
        _guard = new CgroupPathGuard(kubepodsRoot);
        _files = files;
        _log = log ?? (_ => { });
    }

    public string Root { get; }

    public CgroupPathGuard Guard => _guard;

    /// <summary>Applies <paramref name="plan"/> in order; see the class remarks for failure handling.</summary>
    /// <param name="subject">Whose plan it is (e.g. "pod default/web"), for the log lines.</param>
    public CgroupWriterResult Apply(IReadOnlyList<CgroupWrite> plan, string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var checkedPlan = new (CgroupWrite Write, string Cgroup)[plan.Count];
        for (int i = 0; i < plan.Count; i++)
        {
            CgroupWrite write = plan[i];
            if (!TryContain(write.Cgroup, write.File, out string cgroup, out string? refusal))
            {
                // The path may come from the runtime: quoted, so it cannot break or forge log lines.
                string error = $"refused to write {ErrorText.Quote(write.File)} = {ErrorText.Quote(write.Value)} in cgroup \"{ErrorText.Quote(write.Cgroup)}\": {refusal}";
                _log(subject is null ? error : $"{subject}: {error}");
                return new CgroupWriterResult(false, 0, 0, error, []);
            }
            checkedPlan[i] = (write, cgroup);
        }

        var undo = new List<(CgroupWrite Write, string Cgroup, string Previous)>(plan.Count);
        int skipped = 0;
        string prefix = subject is null ? "" : subject + ": ";
        foreach ((CgroupWrite write, string cgroup) in checkedPlan)
        {
            string? error;
            try
            {
                if (!_files.DirectoryExists(cgroup))
                {
                    skipped++;
                    _log($"{prefix}cgroup {write.Cgroup} no longer exists: skipped {write.File} = {write.Value}");
                    continue;
                }
                string previous = _files.Read(cgroup, write.File);
                _files.Write(cgroup, write.File, write.Value);
                undo.Add((write, cgroup, previous));
                continue;
            }
            catch (IOException e)
            {
                if (Vanished(cgroup))
                {
                    // Removed between the check and the write.
                    skipped++;
                    _log($"{prefix}cgroup {write.Cgroup} disappeared while writing: skipped {write.File} = {write.Value}");
                    continue;
                }
                error = Describe(e, Path.Join(Root, cgroup, write.File), write.Value);
            }
            List<string> problems = RollBack(undo, prefix);
            return new CgroupWriterResult(false, 0, skipped, error, problems);
        }
        return CgroupWriterResult.Success(undo.Count, skipped);
    }

    /// <summary>
    /// Whether a cgroup exists, under the same containment as the writes (it may be built from runtime
    /// input or the state file); a refused or unreadable path is <see cref="CgroupPresence.Unknown"/>.
    /// </summary>
    public CgroupPresence Probe(string cgroup, string? subject = null)
    {
        string prefix = subject is null ? "" : subject + ": ";
        if (!_guard.TryCanonicalize(cgroup, out string canonical, out string? refusal))
        {
            _log($"{prefix}refused to look at cgroup \"{ErrorText.Quote(cgroup)}\": {refusal}");
            return CgroupPresence.Unknown;
        }
        try
        {
            return _files.DirectoryExists(canonical) ? CgroupPresence.Present : CgroupPresence.Gone;
        }
        catch (IOException e)
        {
            _log($"{prefix}cannot tell whether cgroup {canonical} exists: {e.Message}");
            return CgroupPresence.Unknown;
        }
    }

    private bool TryContain(string cgroup, string file, out string canonical, out string? refusal)
    {
        if (!_guard.TryCanonicalize(cgroup, out canonical, out refusal))
        {
            return false;
        }
        if (!CgroupPathGuard.IsPlainFileName(file))
        {
            refusal = $"\"{file}\" is not a plain file name";
            return false;
        }
        return true;
    }

    private bool Vanished(string cgroup)
    {
        try
        {
            return !_files.DirectoryExists(cgroup);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Describe(IOException e, string path, string value) => e switch
    {
        HostFileException { Problem: not HostFileProblem.SystemError } => $"cannot write \"{value}\" to {e.Message}",
        { HResult: NotFound } => $"cannot write \"{value}\" to {path}: the file does not exist (is the controller enabled in the parent's cgroup.subtree_control?)",
        { HResult: Invalid } => $"the kernel rejected \"{value}\" for {path} (EINVAL: invalid argument)",
        { HResult: Denied or NotPermitted } => $"cannot write \"{value}\" to {path}: permission denied",
        _ => $"cannot write \"{value}\" to {path}: {ErrorText.Of(e)}",
    };

    /// <summary>Restores the previous values, newest first; a cgroup gone meanwhile needs no restoring.</summary>
    private List<string> RollBack(List<(CgroupWrite Write, string Cgroup, string Previous)> undo, string prefix)
    {
        var problems = new List<string>();
        for (int i = undo.Count - 1; i >= 0; i--)
        {
            var (write, cgroup, previous) = undo[i];
            try
            {
                _files.Write(cgroup, write.File, previous);
            }
            catch (IOException e)
            {
                if (Vanished(cgroup))
                {
                    continue;
                }
                string problem = "rollback: " + Describe(e, Path.Join(Root, cgroup, write.File), previous);
                problems.Add(problem);
                _log(prefix + problem);
            }
        }
        return problems;
    }
}
