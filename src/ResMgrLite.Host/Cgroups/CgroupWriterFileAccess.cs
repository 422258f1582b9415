using System.Text;
using Microsoft.Win32.SafeHandles;

namespace ResMgrLite.Host.Cgroups;

/// <summary>The three file operations the cgroup writer needs; a seam so tests can play the kernel's refusals.</summary>
internal interface ICgroupFileAccess
{
    bool DirectoryExists(string path);

    string Read(string path);

    void Write(string path, string value);
}

/// <summary>Direct cgroupfs access: one open and one write per value, as the kernel expects.</summary>
internal sealed class CgroupWriterFileAccess : ICgroupFileAccess
{
    public static readonly CgroupWriterFileAccess Instance = new();

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public string Read(string path) => File.ReadAllText(path).TrimEnd('\n', ' ');

    public void Write(string path, string value)
    {
        // Truncate (O_TRUNC) never creates a file: a missing knob must fail, not appear as a regular file.
        // The whole value goes in one write call; cgroup files parse each write on its own.
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Truncate, FileAccess.Write);
        RandomAccess.Write(handle, Encoding.ASCII.GetBytes(value), 0);
    }
}
