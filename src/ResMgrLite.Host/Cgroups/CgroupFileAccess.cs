using System.Runtime.InteropServices;
using System.Text;
using ResMgrLite.Host.Files;

namespace ResMgrLite.Host.Cgroups;

/// <summary>
/// Direct cgroupfs access below one mount. Every component below the mount is opened with
/// O_NOFOLLOW relative to its parent's descriptor, so no symbolic link is followed on the way
/// (a link swapped in between a check and the open cannot redirect the write); the knob file is
/// checked to be a regular file and opened without following a link and without blocking; a
/// value goes in one write call, since cgroup files parse each write on its own.
/// </summary>
internal sealed class CgroupFileAccess(string mountRoot) : ICgroupFileAccess
{
    public bool DirectoryExists(string cgroup)
    {
        int fd = OpenDirectory(cgroup);
        if (fd < 0)
        {
            return false;
        }
        _ = LibC.Close(fd);
        return true;
    }

    public string Read(string cgroup, string file)
    {
        string shown = Path.Join(mountRoot, cgroup, file);
        int fd = OpenFile(cgroup, file, shown, LibC.ReadOnly);
        try
        {
            return Encoding.UTF8.GetString(HostFile.ReadAll(fd, shown, HostFileKind.KernelAttribute)).TrimEnd('\n', ' ');
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }

    public unsafe void Write(string cgroup, string file, string value)
    {
        string shown = Path.Join(mountRoot, cgroup, file);
        // O_TRUNC never creates a file: a missing knob must fail, not appear as a regular file.
        int fd = OpenFile(cgroup, file, shown, LibC.WriteOnly | LibC.Truncate);
        try
        {
            byte[] bytes = Encoding.UTF8.GetBytes(value);
            nint written;
            do
            {
                fixed (byte* start = bytes)
                {
                    written = LibC.Write(fd, start, bytes.Length);
                }
            }
            while (written < 0 && Marshal.GetLastPInvokeError() == LibC.Interrupted);
            if (written < 0)
            {
                int error = Marshal.GetLastPInvokeError();
                throw new HostFileException(shown, HostFileProblem.SystemError, ErrorText.OfErrno(error), error);
            }
            if (written != bytes.Length)
            {
                throw new HostFileException(shown, HostFileProblem.SystemError, $"took {written} of {bytes.Length} bytes");
            }
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }

    private int OpenFile(string cgroup, string file, string shown, int access)
    {
        int directory = OpenDirectory(cgroup);
        if (directory < 0)
        {
            throw Missing(Path.Join(mountRoot, cgroup));
        }
        try
        {
            int fd = HostFile.OpenChecked(directory, file, shown, access, followLink: false, HostFileKind.KernelAttribute);
            return fd >= 0 ? fd : throw Missing(shown);
        }
        finally
        {
            _ = LibC.Close(directory);
        }
    }

    /// <summary>A descriptor of the cgroup directory, or -1 when it (or a directory above it) does not exist.</summary>
    private int OpenDirectory(string cgroup)
    {
        // The mount itself comes from the configuration or the mount table: followed like any configured path.
        int fd = LibC.Open(mountRoot, LibC.PathOnly | LibC.DirectoryOnly | LibC.CloseOnExec);
        if (fd < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            return error == LibC.NotFound ? -1 : throw new HostFileException(mountRoot, HostFileProblem.SystemError, $"cannot be opened: {ErrorText.OfErrno(error)}", error);
        }
        string walked = mountRoot;
        foreach (string segment in cgroup.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            walked = Path.Join(walked, segment);
            int next = LibC.OpenAt(fd, segment, LibC.PathOnly | LibC.DirectoryOnly | LibC.NoFollow | LibC.CloseOnExec);
            int error = next < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (next < 0 && error is LibC.NotDirectory or LibC.TooManyLinks)
            {
                _ = LibC.Stat(fd, segment, LibC.NoFollowLink, out FileType type, out _);
                _ = LibC.Close(fd);
                throw type == FileType.SymbolicLink
                    ? new HostFileException(walked, HostFileProblem.NotARegularFile, "is a symbolic link: refused, cgroup paths are never followed through links")
                    : new HostFileException(walked, HostFileProblem.NotARegularFile, "is not a directory");
            }
            _ = LibC.Close(fd);
            if (next < 0)
            {
                return error == LibC.NotFound ? -1 : throw new HostFileException(walked, HostFileProblem.SystemError, $"cannot be opened: {ErrorText.OfErrno(error)}", error);
            }
            fd = next;
        }
        return fd;
    }

    private static HostFileException Missing(string shown) =>
        new(shown, HostFileProblem.SystemError, ErrorText.OfErrno(LibC.NotFound), LibC.NotFound);
}
