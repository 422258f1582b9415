using System.Diagnostics;
using System.Globalization;
using ResMgrLite.Nri.Api;
using ResMgrLite.TestSupport;
using ResMgrLite.TestSupport.FakeNri;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Tests.Plugin;

/// <summary>
/// The published plugin gives back the image pages its start-up faulted in (StartupPageRelease):
/// after Configure and Synchronize, most of its read-only mappings are no longer resident, none of
/// them ever held a private copy, and the code it runs afterwards is mapped again from the file.
/// </summary>
public sealed class StartupPageReleaseTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly string _directory = Directory.CreateTempSubdirectory("page-release-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task After_start_up_the_read_only_image_is_mostly_not_resident_and_the_plugin_still_answers()
    {
        using PublishedExternalPlugin plugin = PublishedExternalPlugin.Start(_directory);
        System.Net.Sockets.Socket listener = plugin.Listener;
        Process process = plugin.Process;
        string binary = plugin.Binary;
        string logFile = plugin.LogFile;
        await using FakeNriRuntime runtime = await FakeNriRuntime.AcceptAsync(listener, CancellationToken.None).WaitAsync(Wait);
        await runtime.Registered.WaitAsync(Wait);
        await runtime.ConfigureAsync();
        await runtime.CallAsync("Synchronize", new SynchronizeRequest(), SynchronizeResponse.Parser);

        ImageResidency after = ImageResidency.Of(process.Id, binary);
        // Without the release nearly all of it stays resident (about 85 % measured): start-up touches
        // code and data all over the image, and the kernel maps the file around every fault.
        Assert.True(after.ReadOnlyResidentKiB < after.ReadOnlySizeKiB * 65 / 100,
            $"read-only image resident after start-up: {after.ReadOnlyResidentKiB} of {after.ReadOnlySizeKiB} KiB");
        Assert.Equal(0, after.ReadOnlyAnonymousKiB);

        // Code and data released are mapped again on use: the next admission works as before.
        CreateContainerResponse created = await runtime.CallAsync("CreateContainer", PluginScenario.Guaranteed("g1", "ctr-g1", 2), CreateContainerResponse.Parser);
        Assert.Equal("1,5", created.Adjust.Linux.Resources.Cpu.Cpus);
        Assert.Equal(0, ImageResidency.Of(process.Id, binary).ReadOnlyAnonymousKiB);

        runtime.Close();
        process.Kill();
        await process.WaitForExitAsync().WaitAsync(Wait);
        string log = await File.ReadAllTextAsync(logFile);
        Assert.Contains("start-up over: ", log, StringComparison.Ordinal);
    }

    /// <summary>
    /// The image's mappings of segments loaded without write permission (the ELF program headers say
    /// which file ranges those are: the RELRO part is read-only too once relocated, but it was
    /// written and is never released), from /proc/PID/smaps.
    /// </summary>
    private sealed record ImageResidency(long ReadOnlySizeKiB, long ReadOnlyResidentKiB, long ReadOnlyAnonymousKiB)
    {
        public static ImageResidency Of(int pid, string binary)
        {
            string path = Path.GetFullPath(binary);
            List<(long Start, long End)> readOnly = ReadOnlyFileRanges(path);
            long size = 0, resident = 0, anonymous = 0;
            bool inImage = false;
            foreach (string line in File.ReadLines($"/proc/{pid}/smaps"))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
                {
                    // A mapping header: range perms offset device inode [path].
                    string[] bounds = fields[0].Split('-');
                    long length = long.Parse(bounds[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) - long.Parse(bounds[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    long offset = long.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    inImage = fields.Length >= 6 && fields[5] == path && readOnly.Exists(r => offset >= r.Start && offset + length <= r.End);
                    continue;
                }
                if (!inImage || fields.Length < 2)
                {
                    continue;
                }
                switch (fields[0])
                {
                    case "Size:":
                        size += long.Parse(fields[1], CultureInfo.InvariantCulture);
                        break;
                    case "Rss:":
                        resident += long.Parse(fields[1], CultureInfo.InvariantCulture);
                        break;
                    case "Anonymous:":
                        anonymous += long.Parse(fields[1], CultureInfo.InvariantCulture);
                        break;
                }
            }
            Assert.True(size > 0, $"no read-only mapping of {path} in /proc/{pid}/smaps");
            return new ImageResidency(size, resident, anonymous);
        }

        /// <summary>File ranges of the PT_LOAD segments without PF_W (ELF64, little-endian), widened to whole pages as they are mapped.</summary>
        private static List<(long Start, long End)> ReadOnlyFileRanges(string path)
        {
            byte[] elf = File.ReadAllBytes(path);
            long headers = BitConverter.ToInt64(elf, 0x20);
            int entrySize = BitConverter.ToUInt16(elf, 0x36);
            int count = BitConverter.ToUInt16(elf, 0x38);
            var ranges = new List<(long, long)>();
            for (int i = 0; i < count; i++)
            {
                int at = checked((int)headers + (i * entrySize));
                uint type = BitConverter.ToUInt32(elf, at);
                uint flags = BitConverter.ToUInt32(elf, at + 4);
                long offset = BitConverter.ToInt64(elf, at + 8);
                long fileSize = BitConverter.ToInt64(elf, at + 32);
                if (type == 1 && (flags & 2) == 0)
                {
                    ranges.Add((offset & ~0xFFFL, (offset + fileSize + 0xFFF) & ~0xFFFL));
                }
            }
            return ranges;
        }
    }
}
