using BenchmarkDotNet.Running;

namespace ResMgrLite.Benchmarks;

internal static class Program
{
    // ./build.sh bench [BenchmarkDotNet args], e.g. ./build.sh bench --filter '*Admission*'
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
