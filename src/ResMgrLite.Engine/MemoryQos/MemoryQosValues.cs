using System.Globalization;

namespace ResMgrLite.Engine.MemoryQos;

/// <summary>
/// The cgroup v2 memory knobs Memory QoS sets on one cgroup (docs/kubelet-rules.md §6.2, §6.4); null = leave the file alone.
/// For a container they become <c>unified</c> adjustments, for pod and QoS cgroups direct writes.
/// </summary>
internal struct MemoryQosValues : IEquatable<MemoryQosValues>
{
    public const string MinFile = "memory.min";
    public const string LowFile = "memory.low";
    public const string HighFile = "memory.high";
    public const string MaxFile = "memory.max";

    public long? Min;
    public long? Low;
    public long? High;
    public long? Max;

    public readonly bool IsEmpty => Min is null && Low is null && High is null && Max is null;

    /// <summary>The knobs as (file, value) pairs in a fixed order, for <c>unified</c> maps and cgroup writes.</summary>
    public readonly IEnumerable<KeyValuePair<string, string>> Files()
    {
        if (Min is { } min)
        {
            yield return new(MinFile, Format(min));
        }
        if (Low is { } low)
        {
            yield return new(LowFile, Format(low));
        }
        if (High is { } high)
        {
            yield return new(HighFile, Format(high));
        }
        if (Max is { } max)
        {
            yield return new(MaxFile, Format(max));
        }
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    public readonly bool Equals(MemoryQosValues other) => Min == other.Min && Low == other.Low && High == other.High && Max == other.Max;

    public readonly override bool Equals(object? obj) => obj is MemoryQosValues other && Equals(other);

    public readonly override int GetHashCode() => HashCode.Combine(Min, Low, High, Max);

    public static bool operator ==(MemoryQosValues left, MemoryQosValues right) => left.Equals(right);

    public static bool operator !=(MemoryQosValues left, MemoryQosValues right) => !left.Equals(right);

    public readonly override string ToString()
    {
        var files = new List<string>(4);
        foreach ((string file, string value) in Files())
        {
            files.Add(file + "=" + value);
        }
        return string.Join(' ', files);
    }
}
