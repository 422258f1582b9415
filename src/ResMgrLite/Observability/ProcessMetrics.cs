using System.Globalization;
using ResMgrLite.Observability.Metrics;

namespace ResMgrLite.Observability;

/// <summary>
/// The standard <c>process_*</c> metrics (the names the Go and Java clients use), read from
/// /proc/self at scrape time: nothing runs between scrapes. Values that cannot be read are left out
/// of the exposition rather than reported as zero.
/// </summary>
internal sealed class ProcessMetrics
{
    // /proc reports times in USER_HZ, fixed at 100 by the kernel ABI on every architecture Linux
    // exposes to user space, independent of the kernel's internal HZ.
    private const double UserHz = 100;
    // /proc/self/{stat,statm,limits} are a few hundred bytes to 2 KiB; one buffer serves them all.
    private const int MaxProcFileBytes = 8 * 1024;

    private readonly string _procSelf;
    private readonly string _procRoot;
    private readonly SampledFamily _cpuSeconds = new("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType.Counter, "seconds");
    private readonly SampledFamily _residentMemory = new("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType.Gauge, "bytes");
    private readonly SampledFamily _virtualMemory = new("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType.Gauge, "bytes");
    private readonly SampledFamily _openFds = new("process_open_fds", "Number of open file descriptors.", MetricType.Gauge);
    private readonly SampledFamily _maxFds = new("process_max_fds", "Maximum number of open file descriptors.", MetricType.Gauge);
    private readonly SampledFamily _startTime = new("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", MetricType.Gauge, "seconds");
    private readonly SampledFamily _threads = new("process_threads", "Number of OS threads in the process.", MetricType.Gauge);
    private readonly byte[] _buffer = new byte[MaxProcFileBytes];
    private readonly Lock _lock = new();
    private double _bootTime = double.NaN;

    /// <param name="procRoot">Root of procfs (tests point it at a synthetic tree).</param>
    /// <param name="pid">Whose process metrics; <c>self</c> by default.</param>
    public ProcessMetrics(string procRoot = "/proc", string pid = "self")
    {
        _procRoot = procRoot;
        _procSelf = Path.Combine(procRoot, pid);
    }

    /// <summary>The families, in the order they are exposed; the textfile leaves them out (node_exporter has its own).</summary>
    public IReadOnlyList<MetricFamily> Families => [_cpuSeconds, _residentMemory, _virtualMemory, _openFds, _maxFds, _startTime, _threads];

    public void Register(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (MetricFamily family in Families)
        {
            registry.Add(family);
        }
        registry.BeforeRender(Refresh);
    }

    /// <summary>Reads /proc/self once for every family (the endpoint and the textfile may render at the same time).</summary>
    public void Refresh()
    {
        lock (_lock)
        {
            ReadStat();
            ReadStatm();
            _openFds.Set(CountOpenFds());
            _maxFds.Set(ReadMaxOpenFiles());
        }
    }

    private void ReadStat()
    {
        // Fields after the command name, which is in parentheses and may itself contain spaces.
        string? stat = ReadSmallFile(Path.Combine(_procSelf, "stat"));
        int close = stat?.LastIndexOf(')') ?? -1;
        if (stat is null || close < 0)
        {
            _cpuSeconds.Set(double.NaN);
            _startTime.Set(double.NaN);
            _threads.Set(double.NaN);
            return;
        }
        ReadOnlySpan<char> fields = stat.AsSpan(close + 1);
        // The first field after the name is field 3 (state): utime is field 14, stime 15, num_threads 20, starttime 22.
        _cpuSeconds.Set((Number(fields, 14 - 3) + Number(fields, 15 - 3)) / UserHz);
        _threads.Set(Number(fields, 20 - 3));
        if (double.IsNaN(_bootTime))
        {
            _bootTime = ReadBootTime();
        }
        double bootTime = _bootTime;
        double startTicks = Number(fields, 22 - 3);
        _startTime.Set(bootTime + (startTicks / UserHz));
    }

    /// <summary>The space-separated field at <paramref name="index"/> (from 0) as a number; NaN when absent or not a number.</summary>
    private static double Number(ReadOnlySpan<char> fields, int index) =>
        long.TryParse(Field(fields, index), NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : double.NaN;

    /// <summary>The space-separated field at <paramref name="index"/> (from 0); empty when there are fewer.</summary>
    private static ReadOnlySpan<char> Field(ReadOnlySpan<char> fields, int index)
    {
        while (true)
        {
            fields = fields.TrimStart(' ');
            int end = fields.IndexOf(' ');
            ReadOnlySpan<char> field = end < 0 ? fields : fields[..end];
            if (index == 0 || field.IsEmpty)
            {
                return field;
            }
            fields = fields[field.Length..];
            index--;
        }
    }

    private void ReadStatm()
    {
        string? statm = ReadSmallFile(Path.Combine(_procSelf, "statm"));
        ReadOnlySpan<char> pages = statm.AsSpan().TrimEnd('\n');
        long pageSize = Environment.SystemPageSize;
        _virtualMemory.Set(Number(pages, 0) * pageSize);
        _residentMemory.Set(Number(pages, 1) * pageSize);
    }

    private double CountOpenFds()
    {
        try
        {
            int count = 0;
            foreach (string _ in Directory.EnumerateFileSystemEntries(Path.Combine(_procSelf, "fd")))
            {
                count++;
            }
            return count;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }

    private double ReadMaxOpenFiles()
    {
        // "Max open files            1024                 524288               files"
        string? limits = ReadSmallFile(Path.Combine(_procSelf, "limits"));
        const string Name = "Max open files";
        int at = limits?.IndexOf("\n" + Name, StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return double.NaN;
        }
        ReadOnlySpan<char> soft = Field(limits.AsSpan(at + 1 + Name.Length), 0);
        return soft is "unlimited" ? double.PositiveInfinity : Number(soft, 0);
    }

    /// <summary>The boot time from /proc/stat, read once: the file grows with the CPU count, btime never changes.</summary>
    private double ReadBootTime()
    {
        try
        {
            using var reader = new StreamReader(Path.Combine(_procRoot, "stat"), System.Text.Encoding.ASCII, false, 4096);
            while (reader.ReadLine() is { } line)
            {
                if (line.StartsWith("btime ", StringComparison.Ordinal) &&
                    long.TryParse(line.AsSpan(6).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
                {
                    return seconds;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unknown: the start time is left out.
        }
        return double.NaN;
    }

    /// <summary>procfs files report size 0, so read up to a cap instead of trusting the length.</summary>
    private string? ReadSmallFile(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            byte[] buffer = _buffer;
            int total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }
            return System.Text.Encoding.ASCII.GetString(buffer, 0, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
