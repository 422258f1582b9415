using ResMgrLite.Engine.MemoryQos;

namespace ResMgrLite.Host.Cgroups;

/// <summary>
/// Applies an ordered plan of cgroup v2 file writes (pod and QoS-class cgroups: Memory QoS §6.4,
/// §6.5 of spec/resource-managers.md) directly, all or nothing:
/// <list type="bullet">
/// <item>a cgroup directory that has vanished (its pod is gone) is logged and its writes skipped —
///   there is nothing left to protect;</item>
/// <item>any other failure stops the plan and restores the previous value of every file already
///   written, in reverse order, so no half-applied change is left behind; a kernel refusal
///   (EINVAL) is reported with the file and the value.</item>
/// </list>
/// </summary>
public sealed class CgroupWriter
{
    /// <summary>errno EINVAL on Linux; .NET surfaces it as the IOException's HResult.</summary>
    private const int Einval = 22;

    private readonly string _root;
    private readonly ICgroupFileAccess _files;
    private readonly Action<string> _log;

    /// <param name="cgroupRoot">The cgroup v2 mount, normally <c>/sys/fs/cgroup</c>.</param>
    /// <param name="log">Receives one line per skipped write and per rollback problem.</param>
    public CgroupWriter(string cgroupRoot, Action<string>? log = null)
        : this(cgroupRoot, CgroupWriterFileAccess.Instance, log)
    {
    }

    internal CgroupWriter(string cgroupRoot, ICgroupFileAccess files, Action<string>? log)
    {
        _root = cgroupRoot;
        _files = files;
        _log = log ?? (_ => { });
    }

    public string Root => _root;

    /// <summary>Applies <paramref name="plan"/> in order; see the class remarks for failure handling.</summary>
    public CgroupWriterResult Apply(IReadOnlyList<CgroupWrite> plan)
    {
        var undo = new List<(CgroupWrite Write, string Previous)>(plan.Count);
        int skipped = 0;
        foreach (CgroupWrite write in plan)
        {
            string directory = DirectoryOf(write);
            if (!_files.DirectoryExists(directory))
            {
                skipped++;
                _log($"cgroup {write.Cgroup} no longer exists: skipped {write.File} = {write.Value}");
                continue;
            }
            string path = Path.Combine(directory, write.File);
            string? error;
            try
            {
                string previous = _files.Read(path);
                _files.Write(path, write.Value);
                undo.Add((write, previous));
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (!_files.DirectoryExists(directory))
                {
                    // Removed between the check and the write.
                    skipped++;
                    _log($"cgroup {write.Cgroup} disappeared while writing: skipped {write.File} = {write.Value}");
                    continue;
                }
                error = Describe(e, path, write.Value);
            }
            List<string> problems = RollBack(undo);
            return new CgroupWriterResult(false, 0, skipped, error, problems);
        }
        return CgroupWriterResult.Success(undo.Count, skipped);
    }

    private string DirectoryOf(CgroupWrite write) => Path.Combine(_root, write.Cgroup.TrimStart('/'));

    private static string Describe(Exception e, string path, string value) => e switch
    {
        FileNotFoundException => $"cannot write \"{value}\" to {path}: the file does not exist (is the controller enabled in the parent's cgroup.subtree_control?)",
        IOException { HResult: Einval } => $"the kernel rejected \"{value}\" for {path} (EINVAL: invalid argument)",
        UnauthorizedAccessException => $"cannot write \"{value}\" to {path}: permission denied",
        _ => $"cannot write \"{value}\" to {path}: {e.Message}",
    };

    /// <summary>Restores the previous values, newest first; a cgroup gone meanwhile needs no restoring.</summary>
    private List<string> RollBack(List<(CgroupWrite Write, string Previous)> undo)
    {
        var problems = new List<string>();
        for (int i = undo.Count - 1; i >= 0; i--)
        {
            var (write, previous) = undo[i];
            string directory = DirectoryOf(write);
            string path = Path.Combine(directory, write.File);
            try
            {
                _files.Write(path, previous);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (!_files.DirectoryExists(directory))
                {
                    continue;
                }
                string problem = "rollback: " + Describe(e, path, previous);
                problems.Add(problem);
                _log(problem);
            }
        }
        return problems;
    }
}
