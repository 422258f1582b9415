using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ResMgrLite.Host.Files;
using static ResMgrLite.Hooks.HookNative;

namespace ResMgrLite.Hooks;

/// <summary>
/// Finds the hooks and checks that only root could have put them there: the directory and every
/// hook (for a symbolic link: its target and the target's directory) must be owned by root and not
/// writable by group or others, since a hook runs as the plugin does (root). Files that are not
/// executable, hidden files and the leftovers of editors and package managers are not hooks.
/// </summary>
internal static class HookDirectory
{
    private const int TypeMask = 0xF000;      // S_IFMT
    private const int RegularFile = 0x8000;   // S_IFREG
    private const int DirectoryType = 0x4000; // S_IFDIR
    private const int SymbolicLink = 0xA000;  // S_IFLNK
    private const int GroupOrOtherWrite = 0x12; // S_IWGRP | S_IWOTH
    private const int AnyExecute = 0x49;      // S_IXUSR | S_IXGRP | S_IXOTH

    /// <summary>Lists the directory in run order; <paramref name="directoryRefusal"/> says why none may run.</summary>
    /// <param name="owner">The uid everything must belong to: root, except in tests.</param>
    public static List<HookFile> Scan(string directory, uint owner, out string? directoryRefusal)
    {
        var hooks = new List<HookFile>();
        directoryRefusal = CheckOwnerAndMode(directory, owner, DirectoryType, "directory");
        if (directoryRefusal is not null)
        {
            return hooks;
        }
        var names = new List<string>();
        try
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(directory))
            {
                names.Add(Path.GetFileName(entry));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            directoryRefusal = $"cannot be listed: {ErrorText.Of(e, directory)}";
            return hooks;
        }
        names.Sort(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (name.StartsWith('.'))
            {
                continue;  // hidden files are nobody's hooks, not even worth a log line
            }
            string path = Path.Combine(directory, name);
            if (NotAHookName(name) is { } why)
            {
                hooks.Add(new HookFile(name, path, null, why));
                continue;
            }
            hooks.Add(Check(name, path, owner));
        }
        return hooks;
    }

    private static string? NotAHookName(string name)
    {
        if (name.EndsWith('~') || name.Contains(".dpkg-", StringComparison.Ordinal) || name.Contains(".ucf-", StringComparison.Ordinal)
            || name.EndsWith(".rpmnew", StringComparison.Ordinal) || name.EndsWith(".rpmsave", StringComparison.Ordinal))
        {
            return "backup or package-manager leftover";
        }
        return null;
    }

    private static HookFile Check(string name, string path, uint owner)
    {
        if (!TryStat(path, followLinks: true, out uint uid, out int mode, out string? error))
        {
            return new HookFile(name, path, error, null);
        }
        if ((mode & TypeMask) != RegularFile)
        {
            return new HookFile(name, path, null, "not a regular file");
        }
        if ((mode & AnyExecute) == 0)
        {
            return new HookFile(name, path, null, "not executable");
        }
        string? refusal = Refusal(uid, mode, owner, "file");
        if (refusal is null)
        {
            string? target = LinkTargetDirectory(path);
            if (target is not null)
            {
                refusal = CheckOwnerAndMode(target, owner, DirectoryType, $"link target's directory {target}");
            }
        }
        return new HookFile(name, path, refusal, null);
    }

    /// <summary>The directory of the final target when <paramref name="path"/> is a symbolic link, else null.</summary>
    private static unsafe string? LinkTargetDirectory(string path)
    {
        if (!TryStat(path, followLinks: false, out _, out int mode, out _) || (mode & TypeMask) != SymbolicLink)
        {
            return null;
        }
        byte* resolved;
        fixed (byte* p = NullTerminated(path))
        {
            resolved = realpath(p, null);
        }
        if (resolved is null)
        {
            return null;
        }
        try
        {
            return Path.GetDirectoryName(Marshal.PtrToStringUTF8((nint)resolved));
        }
        finally
        {
            free(resolved);
        }
    }

    private static byte[] NullTerminated(string path)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    private static string? CheckOwnerAndMode(string path, uint owner, int type, string what)
    {
        if (!TryStat(path, followLinks: true, out uint uid, out int mode, out string? error))
        {
            return error;
        }
        if ((mode & TypeMask) != type)
        {
            return $"the {what} is not a directory";
        }
        return Refusal(uid, mode, owner, what);
    }

    private static string? Refusal(uint uid, int mode, uint owner, string what)
    {
        if (uid != owner)
        {
            return $"the {what} is owned by uid {uid.ToString(CultureInfo.InvariantCulture)}, not {(owner == 0 ? "root" : "uid " + owner.ToString(CultureInfo.InvariantCulture))}";
        }
        if ((mode & GroupOrOtherWrite) != 0)
        {
            return $"the {what} is writable by {((mode & 0x2) != 0 ? "everyone" : "its group")} (mode {Convert.ToString(mode & 0xFFF, 8)})";
        }
        return null;
    }

    private static unsafe bool TryStat(string path, bool followLinks, out uint uid, out int mode, out string? error)
    {
        uid = 0;
        mode = 0;
        error = null;
        byte* buffer = stackalloc byte[StatxBytes];
        int rc;
        fixed (byte* p = NullTerminated(path))
        {
            rc = statx(AtCurrentDirectory, p, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, buffer);
        }
        if (rc != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            error = $"cannot be examined: {ErrorText.OfErrno(errno)}";
            return false;
        }
        uid = *(uint*)(buffer + StatxUidOffset);
        mode = *(ushort*)(buffer + StatxModeOffset);
        return true;
    }
}
