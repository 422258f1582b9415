namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// A plugin containerd in the guest pre-launches: <paramref name="BinaryPath"/> becomes
/// /opt/nri/plugins/<paramref name="FileName"/> and <paramref name="Config"/>
/// /etc/nri/conf.d/<paramref name="FileName"/>.conf (tests/vm/guest/init copies both from the
/// share before containerd starts). FileName must be "NN-name" (docs/nri-rules.md §1.3).
/// </summary>
internal sealed record VmPlugin(string BinaryPath, string FileName, string Config);
