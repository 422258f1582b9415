using BenchmarkDotNet.Attributes;
using ResMgrLite.Engine;

namespace ResMgrLite.Benchmarks;

[MemoryDiagnoser]
public class CpuSetBenchmarks
{
    private CpuSet _a = CpuSet.Parse("0-1000,2000-2047");
    private CpuSet _b = CpuSet.Parse("500-2500");
    private readonly char[] _buffer = new char[CpuSet.MaxFormattedLength];

    [Benchmark]
    public int UnionCount() => _a.Union(_b).Count;

    [Benchmark]
    public int ParseList() => CpuSet.Parse("0-3,8,10-11,64-127,4000-4095").Count;

    [Benchmark]
    public int Format()
    {
        _a.TryFormat(_buffer, out int written);
        return written;
    }
}
