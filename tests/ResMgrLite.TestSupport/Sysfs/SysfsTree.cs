namespace ResMgrLite.TestSupport.Sysfs;

/// <summary>
/// A temporary directory holding a fake <c>sys</c> and <c>proc</c>; deleted on dispose.
/// Tests may also write or delete files in it to break it on purpose.
/// </summary>
internal sealed class SysfsTree : IDisposable
{
    private SysfsTree(string root)
    {
        Root = root;
        SysfsRoot = Path.Combine(root, "sys");
        ProcRoot = Path.Combine(root, "proc");
        Directory.CreateDirectory(SysfsRoot);
        Directory.CreateDirectory(ProcRoot);
    }

    public string Root { get; }

    /// <summary>Stands for /sys.</summary>
    public string SysfsRoot { get; }

    /// <summary>Stands for /proc.</summary>
    public string ProcRoot { get; }

    public static SysfsTree CreateEmpty()
    {
        string name = "resmgrlite-sysfs-" + Guid.NewGuid().ToString("N");
        // A 4096-CPU tree is ~100k files; on a loaded disk-backed /tmp that takes minutes,
        // on tmpfs about a second. Fall back to the temp directory where /dev/shm is unusable.
        if (Directory.Exists(SharedMemoryDirectory))
        {
            try
            {
                return new SysfsTree(Path.Combine(SharedMemoryDirectory, name));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not writable here: use the temp directory.
            }
        }
        return new SysfsTree(Path.Combine(Path.GetTempPath(), name));
    }

    private const string SharedMemoryDirectory = "/dev/shm";

    /// <summary>Path of a file below the fake /sys, e.g. <c>Sys("devices/system/cpu/online")</c>.</summary>
    public string Sys(string relative) => Path.Combine(SysfsRoot, relative);

    /// <summary>Writes (or overwrites) a file below the fake /sys, creating directories.</summary>
    public void WriteSys(string relative, string content)
    {
        string path = Sys(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public void DeleteSys(string relative)
    {
        string path = Sys(relative);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: nothing to clean.
        }
    }
}
