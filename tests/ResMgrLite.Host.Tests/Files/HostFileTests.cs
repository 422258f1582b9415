using ResMgrLite.Host.Files;
using ResMgrLite.TestSupport.HostFiles;

namespace ResMgrLite.Host.Tests.Files;

/// <summary>Bounded, non-blocking reads of host files, with errors that name the file and the limit.</summary>
public sealed class HostFileTests : IDisposable
{
    // Only catches a read that hangs (a FIFO without a writer blocks forever): not a timing check.
    // 1 s failed once in a fresh-clone run on 2 loaded cores, where Task.Run itself waited for a thread.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(15);
    private readonly string _dir = Directory.CreateTempSubdirectory("resmgrlite-hostfile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void A_regular_file_is_read_and_a_missing_one_is_null()
    {
        File.WriteAllText(PathOf("a"), "hello\n");
        Assert.Equal("hello\n", HostFile.ReadText(PathOf("a"), HostFileKind.Configuration));
        Assert.Null(HostFile.TryReadBytes(PathOf("missing"), HostFileKind.State));
        Assert.Null(HostFile.TryReadBytes(PathOf("missing/deeper"), HostFileKind.State));
        var missing = Assert.Throws<FileNotFoundException>(() => HostFile.ReadBytes(PathOf("missing"), HostFileKind.KernelAttribute));
        Assert.Equal($"{PathOf("missing")}: does not exist", missing.Message);
    }

    [Theory]
    [InlineData(HostFileKind.Configuration)]
    [InlineData(HostFileKind.State)]
    [InlineData(HostFileKind.KernelAttribute)]
    public async Task A_fifo_is_refused_at_once_without_waiting_for_a_writer(object kindValue)
    {
        HostFileKind kind = (HostFileKind)kindValue;
        SpecialFiles.CreateFifo(PathOf("fifo"));
        var refused = await Assert.ThrowsAsync<HostFileException>(() => Task.Run(() => HostFile.ReadBytes(PathOf("fifo"), kind)).WaitAsync(HangGuard));
        Assert.StartsWith($"{PathOf("fifo")}: is a named pipe (FIFO): refused, reading it could wait forever (", refused.Message, StringComparison.Ordinal);
        Assert.Equal(HostFileProblem.NotARegularFile, refused.Problem);
    }

    [Fact]
    public async Task A_link_to_dev_zero_is_never_read_past_its_limit()
    {
        File.CreateSymbolicLink(PathOf("zero"), "/dev/zero");
        // The state file is never a link; a configuration may be one, but it must lead to a regular file.
        var state = await Assert.ThrowsAsync<HostFileException>(() => Task.Run(() => HostFile.ReadBytes(PathOf("zero"), HostFileKind.State)).WaitAsync(HangGuard));
        Assert.Contains("is a symbolic link", state.Message, StringComparison.Ordinal);
        var config = await Assert.ThrowsAsync<HostFileException>(() => Task.Run(() => HostFile.ReadBytes(PathOf("zero"), HostFileKind.Configuration)).WaitAsync(HangGuard));
        Assert.Equal($"{PathOf("zero")}: is a device: refused (a configuration file must be a regular file of at most 1 MiB; a ResMgrLite configuration is a few KiB)", config.Message);
        Assert.Contains("is a device", Assert.Throws<HostFileException>(() => HostFile.ReadBytes("/dev/zero", HostFileKind.Configuration)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_to_a_regular_file_is_followed_only_for_configuration()
    {
        File.WriteAllText(PathOf("real.conf"), "x = 1\n");
        File.CreateSymbolicLink(PathOf("link.conf"), PathOf("real.conf"));
        Assert.Equal("x = 1\n", HostFile.ReadText(PathOf("link.conf"), HostFileKind.Configuration));
        Assert.Equal(HostFileProblem.NotARegularFile, Assert.Throws<HostFileException>(() => HostFile.ReadText(PathOf("link.conf"), HostFileKind.KernelAttribute)).Problem);
    }

    [Fact]
    public void A_directory_is_not_a_file()
    {
        var refused = Assert.Throws<HostFileException>(() => HostFile.ReadBytes(_dir, HostFileKind.Configuration));
        Assert.StartsWith($"{_dir}: is a directory, not a file (a configuration file must be", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HostFileKind.KernelAttribute, "64 KiB")]
    [InlineData(HostFileKind.Configuration, "1 MiB")]
    public void A_file_over_its_kinds_limit_is_refused_naming_the_limit(object kindValue, string limit)
    {
        HostFileKind kind = (HostFileKind)kindValue;
        int max = HostFile.LimitOf(kind);
        File.WriteAllBytes(PathOf("exact"), new byte[max]);
        File.WriteAllBytes(PathOf("over"), new byte[max + 1]);
        Assert.Equal(max, HostFile.ReadBytes(PathOf("exact"), kind).Length);
        var refused = Assert.Throws<HostFileException>(() => HostFile.ReadBytes(PathOf("over"), kind));
        Assert.Equal(HostFileProblem.TooLarge, refused.Problem);
        Assert.StartsWith($"{PathOf("over")}: is larger than {limit}: refused (", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"at most {limit}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Procfs_files_that_report_size_zero_are_read_in_full()
    {
        string mounts = HostFile.ReadText("/proc/self/mountinfo", HostFileKind.MountTable);
        Assert.Contains(" - ", mounts, StringComparison.Ordinal);
        Assert.NotEmpty(HostFile.ReadText("/proc/sys/kernel/osrelease", HostFileKind.KernelAttribute).Trim());
    }

    [Theory]
    [InlineData("", "no file name was given (the path is empty)")]
    [InlineData("a\0b", "the path holds a NUL character")]
    public void Unusable_paths_are_refused_in_words(string path, string reason)
    {
        var refused = Assert.Throws<HostFileException>(() => HostFile.ReadBytes(path, HostFileKind.Configuration));
        Assert.Equal(HostFileProblem.BadPath, refused.Problem);
        Assert.EndsWith(reason, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_file_says_permission_denied()
    {
        if (Environment.IsPrivilegedProcess)
        {
            return; // root reads everything; the errno wording is covered below.
        }
        File.WriteAllText(PathOf("secret"), "x");
        File.SetUnixFileMode(PathOf("secret"), UnixFileMode.None);
        Assert.Contains("permission denied", Assert.Throws<HostFileException>(() => HostFile.ReadBytes(PathOf("secret"), HostFileKind.Configuration)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dotnet_io_exceptions_become_words()
    {
        Assert.Equal("does not exist", ErrorText.Of(new FileNotFoundException("x")));
        Assert.Equal("its directory does not exist", ErrorText.Of(new DirectoryNotFoundException("x")));
        Assert.Equal("is a directory, not a file", ErrorText.Of(new UnauthorizedAccessException("x"), _dir));
        Assert.Equal("ab\\x01" + new string('c', 61) + "...", ErrorText.Quote("ab\u0001" + new string('c', 100)));
        Assert.Equal("permission denied", ErrorText.Of(new UnauthorizedAccessException("x"), PathOf("none")));
        Assert.Equal("no space left on the device", ErrorText.Of(new IOException("x", 28)));
        Assert.Equal("invalid argument", ErrorText.OfErrno(22));
        Assert.Equal("system error 4095", ErrorText.OfErrno(4095));
    }

    [Fact]
    public async Task Opening_for_writing_never_blocks_and_never_writes_through_the_wrong_kind_of_file()
    {
        SpecialFiles.CreateFifo(PathOf("fifo.log"));
        var fifo = await Assert.ThrowsAsync<HostFileException>(() => Task.Run(() => HostFile.OpenForWriting(PathOf("fifo.log"), WriteTarget.OperatorFile)).WaitAsync(HangGuard));
        Assert.Contains("named pipe", fifo.Message, StringComparison.Ordinal);
        Assert.Contains("is a directory", Assert.Throws<HostFileException>(() => HostFile.OpenForWriting(_dir, WriteTarget.OperatorFile)).Message, StringComparison.Ordinal);

        // An operator's log may be /dev/null or a link; a file the plugin owns is neither.
        HostFile.OpenForWriting("/dev/null", WriteTarget.OperatorFile).Dispose();
        File.WriteAllText(PathOf("victim"), "keep");
        File.CreateSymbolicLink(PathOf("own.tmp"), PathOf("victim"));
        Assert.Contains("symbolic link", Assert.Throws<HostFileException>(() => HostFile.OpenForWriting(PathOf("own.tmp"), WriteTarget.OwnFile)).Message, StringComparison.Ordinal);
        Assert.Equal("keep", File.ReadAllText(PathOf("victim")));

        using (FileStream log = HostFile.OpenForWriting(PathOf("a.log"), WriteTarget.OperatorFile))
        {
            log.Write("one\n"u8);
        }
        using (FileStream log = HostFile.OpenForWriting(PathOf("a.log"), WriteTarget.OperatorFile))
        {
            log.Write("two\n"u8);
        }
        Assert.Equal("one\ntwo\n", File.ReadAllText(PathOf("a.log")));
        using (FileStream own = HostFile.OpenForWriting(PathOf("a.log"), WriteTarget.OwnFile))
        {
            own.Write("new"u8);
        }
        Assert.Equal("new", File.ReadAllText(PathOf("a.log")));
    }
}
