using System.Diagnostics;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Tests;

/// <summary>
/// The published binary is fully static: it runs in an empty root (no libc, no loader, no
/// /proc, no environment), which is how containerd may start it on minimal hosts.
/// </summary>
public sealed class StaticBinaryTests
{
    private static string Binary
    {
        get
        {
            string path = RepoPaths.PublishedBinary;
            Assert.True(File.Exists(path), $"published binary {path} is missing: run ./build.sh first (./build.sh test does)");
            return path;
        }
    }

    [RootFact]
    public void Runs_version_in_an_empty_chroot()
    {
        string root = Directory.CreateTempSubdirectory("resmgrlite-chroot-").FullName;
        try
        {
            string inside = Path.Combine(root, "resmgrlite");
            File.Copy(Binary, inside);
            File.SetUnixFileMode(inside, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            Assert.Single(Directory.GetFileSystemEntries(root));

            var start = new ProcessStartInfo("chroot", [root, "/resmgrlite", "--version"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment.Clear();
            using Process process = Process.Start(start)!;
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(20_000), "the binary did not exit in the chroot");
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {stderr}");
            Assert.Matches(@"^\d+\.\d+\.\d+", stdout.Trim());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Has_no_program_interpreter_or_dynamic_libraries()
    {
        // An ELF with a PT_INTERP header needs a dynamic loader; a static(-pie) one has none.
        byte[] elf = File.ReadAllBytes(Binary);
        Assert.Equal(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }, elf[..4]);
        Assert.Equal(2, elf[4]); // 64-bit
        long phoff = BitConverter.ToInt64(elf, 0x20);
        int phentsize = BitConverter.ToUInt16(elf, 0x36);
        int phnum = BitConverter.ToUInt16(elf, 0x38);
        const uint PtInterp = 3;
        for (int i = 0; i < phnum; i++)
        {
            uint type = BitConverter.ToUInt32(elf, (int)(phoff + i * phentsize));
            Assert.NotEqual(PtInterp, type);
        }
        Assert.True(phnum > 0);
    }
}
