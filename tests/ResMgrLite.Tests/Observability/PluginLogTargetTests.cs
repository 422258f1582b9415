using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ResMgrLite.Config.Settings;
using ResMgrLite.Nri;
using ResMgrLite.Observability.Logging;
using ResMgrLite.Plugin;

namespace ResMgrLite.Tests.Observability;

/// <summary>log.target, log.format and log.maxSize in-process (the published-binary tests cover the same as containerd starts the plugin).</summary>
public sealed class PluginLogTargetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("log-targets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ResMgrSettings Settings(string target, string file = "/nonexistent/never.log", LogFormat format = LogFormat.Text, long maxSize = 10L << 20) =>
        new() { LogTarget = target, LogFile = file, LogFormat = format, LogMaxSizeBytes = maxSize, LogLevel = LogLevel.Debug };

    [Fact]
    public void Stderr_target_writes_there_and_held_lines_follow()
    {
        var stderr = new StringWriter();
        string defaultFile = Path.Combine(_directory, "default.log");
        using (PluginLog log = PluginLog.FollowingConfiguration(defaultFile, ProtocolLogLevel.Info, holdUntilReleased: true, stderr))
        {
            log.Write(ProtocolLogLevel.Info, "registered as 90-resmgrlite");
            log.Apply(Settings("stderr"));
            log.Write(ProtocolLogLevel.Debug, "debug now shown");
        }
        string[] lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith("INFO registered as 90-resmgrlite", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("DEBUG debug now shown", lines[1], StringComparison.Ordinal);
        Assert.False(File.Exists(defaultFile));
    }

    [Fact]
    public void Json_format_writes_one_object_a_line_with_the_structured_fields()
    {
        string file = Path.Combine(_directory, "json.log");
        using (PluginLog log = PluginLog.FollowingConfiguration(null, ProtocolLogLevel.Info, standardError: TextWriter.Null))
        {
            log.Apply(Settings("file", file, LogFormat.Json));
            log.Write(ProtocolLogLevel.Warning, "CreateContainer", "default/web", "app", "refused: \"quoted\"\nsecond line");
            log.Write(ProtocolLogLevel.Info, "plain");
        }
        string[] lines = File.ReadAllLines(file);
        Assert.Equal(2, lines.Length);
        using JsonDocument first = JsonDocument.Parse(lines[0]);
        JsonElement root = first.RootElement;
        Assert.Equal(["time", "level", "event", "pod", "container", "message"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("warning", root.GetProperty("level").GetString());
        Assert.Equal("CreateContainer", root.GetProperty("event").GetString());
        Assert.Equal("default/web", root.GetProperty("pod").GetString());
        Assert.Equal("app", root.GetProperty("container").GetString());
        Assert.Equal("refused: \"quoted\"\nsecond line", root.GetProperty("message").GetString());
        Assert.True(DateTime.TryParse(root.GetProperty("time").GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal, out _));
        using JsonDocument second = JsonDocument.Parse(lines[1]);
        Assert.Equal("", second.RootElement.GetProperty("pod").GetString());
    }

    [Fact]
    public void The_file_is_rotated_once_at_the_size_cap()
    {
        string file = Path.Combine(_directory, "rotating.log");
        using (PluginLog log = PluginLog.FollowingConfiguration(null, ProtocolLogLevel.Info, standardError: TextWriter.Null))
        {
            log.Apply(Settings("file", file, maxSize: 64 * 1024));
            for (int i = 0; i < 3000; i++)
            {
                log.Write(ProtocolLogLevel.Info, $"line {i} " + new string('x', 40));
            }
        }
        long cap = 64 * 1024;
        Assert.True(new FileInfo(file).Length <= cap);
        Assert.True(new FileInfo(file + ".1").Length <= cap);
        Assert.False(File.Exists(file + ".2"));
        Assert.EndsWith("line 2999 " + new string('x', 40), File.ReadAllLines(file)[^1], StringComparison.Ordinal);
        // Nothing lost between the two files at the last rotation.
        int firstInCurrent = int.Parse(File.ReadAllLines(file)[0].Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
        int lastInRotated = int.Parse(File.ReadAllLines(file + ".1")[^1].Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(lastInRotated + 1, firstInCurrent);
    }

    [Fact]
    public void An_unwritable_file_is_reported_once_on_stderr_which_takes_over()
    {
        var stderr = new StringWriter();
        using (PluginLog log = PluginLog.FollowingConfiguration(null, ProtocolLogLevel.Info, standardError: stderr))
        {
            log.Apply(Settings("file", Path.Combine(_directory, "missing-dir", "x.log")));
            log.Write(ProtocolLogLevel.Info, "one");
            log.Write(ProtocolLogLevel.Info, "two");
        }
        string[] lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains($"cannot write the log file {Path.Combine(_directory, "missing-dir", "x.log")}", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("; logging to stderr instead", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("INFO one", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Journal_target_sends_native_protocol_datagrams_with_identifier_priority_and_fields()
    {
        string socketPath = Path.Combine(_directory, "journal.sock");
        using var journal = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        journal.Bind(new UnixDomainSocketEndPoint(socketPath));
        using (PluginLog log = PluginLog.FollowingConfiguration(null, ProtocolLogLevel.Info, journalSocket: socketPath))
        {
            log.Apply(Settings("journal"));
            log.Write(ProtocolLogLevel.Error, "CreateContainer", "default/db", "postgres", "refused:\nno CPUs left");
        }
        byte[] buffer = new byte[65536];
        int length = journal.Receive(buffer);
        Dictionary<string, string> fields = DecodeJournal(buffer.AsSpan(0, length));

        Assert.Equal("resmgrlite", fields["SYSLOG_IDENTIFIER"]);
        Assert.Equal("3", fields["PRIORITY"]);
        Assert.Equal("refused:\nno CPUs left", fields["MESSAGE"]);
        Assert.Equal("CreateContainer", fields["RESMGRLITE_EVENT"]);
        Assert.Equal("default/db", fields["RESMGRLITE_POD"]);
        Assert.Equal("postgres", fields["RESMGRLITE_CONTAINER"]);
    }

    [Fact]
    public void No_journal_is_said_once_and_stderr_is_used()
    {
        var stderr = new StringWriter();
        using (PluginLog log = PluginLog.FollowingConfiguration(null, ProtocolLogLevel.Info, standardError: stderr, journalSocket: Path.Combine(_directory, "absent.sock")))
        {
            log.Apply(Settings("journal"));
            log.Write(ProtocolLogLevel.Info, "first");
            log.Write(ProtocolLogLevel.Info, "second");
        }
        string text = stderr.ToString();
        Assert.Single(text.Split('\n'), l => l.Contains("journal socket", StringComparison.Ordinal));
        Assert.Contains("logging to stderr instead", text, StringComparison.Ordinal);
        Assert.Contains("INFO second", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_line_file_keeps_its_target_but_takes_level_and_format()
    {
        string file = Path.Combine(_directory, "pinned.log");
        using (var log = new PluginLog(file, ProtocolLogLevel.Info))
        {
            log.Apply(Settings("stderr", format: LogFormat.Json));
            log.Write(ProtocolLogLevel.Debug, "kept here");
        }
        Assert.Contains("\"message\":\"kept here\"", File.ReadAllText(file), StringComparison.Ordinal);
    }

    [Fact]
    public void Moving_to_another_target_leaves_a_pointer_in_the_old_one()
    {
        string first = Path.Combine(_directory, "first.log");
        string second = Path.Combine(_directory, "second.log");
        using (PluginLog log = PluginLog.FollowingConfiguration(first, ProtocolLogLevel.Info))
        {
            log.Write(ProtocolLogLevel.Info, "early");
            log.Apply(Settings("file", second));
            log.Write(ProtocolLogLevel.Info, "later");
        }
        Assert.EndsWith($"log continues in {second}", File.ReadAllLines(first)[^1], StringComparison.Ordinal);
        Assert.EndsWith("later", File.ReadAllLines(second)[^1], StringComparison.Ordinal);
    }

    private static Dictionary<string, string> DecodeJournal(ReadOnlySpan<byte> datagram)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!datagram.IsEmpty)
        {
            int newline = datagram.IndexOf((byte)'\n');
            int equals = datagram[..newline].IndexOf((byte)'=');
            if (equals >= 0)
            {
                fields[Encoding.ASCII.GetString(datagram[..equals])] = Encoding.UTF8.GetString(datagram[(equals + 1)..newline]);
                datagram = datagram[(newline + 1)..];
            }
            else
            {
                string name = Encoding.ASCII.GetString(datagram[..newline]);
                ulong size = BinaryPrimitives.ReadUInt64LittleEndian(datagram[(newline + 1)..]);
                ReadOnlySpan<byte> value = datagram.Slice(newline + 9, (int)size);
                fields[name] = Encoding.UTF8.GetString(value);
                Assert.Equal((byte)'\n', datagram[newline + 9 + (int)size]);
                datagram = datagram[(newline + 10 + (int)size)..];
            }
        }
        return fields;
    }
}
