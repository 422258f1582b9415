using System.Diagnostics;
using BenchmarkDotNet.Running;

namespace ResMgrLite.Benchmarks;

internal static class Program
{
    // ./build.sh bench [BenchmarkDotNet args], e.g. ./build.sh bench --filter '*Admission*'
    // ./build.sh bench --latency [calls]: per-request CreateContainer round-trip percentiles.
    private static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--latency")
        {
            RoundTripLatency(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    /// <summary>
    /// BenchmarkDotNet reports means over batches; the issue asks for the p99 of single requests, so
    /// this times each CreateContainer round trip on its own (after a warm-up) and prints percentiles.
    /// </summary>
    private static void RoundTripLatency(int calls)
    {
        var bench = new NriRoundTripBenchmarks();
        bench.Setup();
        try
        {
            for (int i = 0; i < 2_000; i++)
            {
                bench.CreateContainer();
            }
            var samples = new double[calls];
            long frequency = Stopwatch.Frequency;
            for (int i = 0; i < calls; i++)
            {
                long start = Stopwatch.GetTimestamp();
                bench.CreateContainer();
                samples[i] = (Stopwatch.GetTimestamp() - start) * 1_000_000.0 / frequency;
            }
            Array.Sort(samples);
            double P(double q) => samples[Math.Min(calls - 1, (int)(q * calls))];
            Console.WriteLine($"CreateContainer round trip over a socketpair, {calls} calls: p50 {P(0.50):0.0} µs, p90 {P(0.90):0.0} µs, p99 {P(0.99):0.0} µs, max {samples[^1]:0.0} µs");
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
