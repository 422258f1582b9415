using System.Globalization;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Install.Tests;

/// <summary>
/// The packaged NRI drop-ins against the real containerd of every runtime of tests/e2e/runtimes:
/// the published plugin, linked into /opt/nri/plugins the way the package does it, must register as
/// a pre-launched plugin and an external plugin must connect on /var/run/nri/nri.sock
/// (Scripts/containerd-dropin.sh, in private mount and PID namespaces so the host's /opt, /run and
/// /var stay untouched and nothing outlives a run).
/// </summary>
[Collection(RealContainerd.Collection)]
public sealed class ContainerdDropInTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("resmgrlite-dropin-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string> EveryRuntime => RealContainerd.Reading(2, 3);

    public static TheoryData<string> RuntimesReadingVersion3 => RealContainerd.Reading(3);

    /// <summary>containerd 1.7 has NRI off unless a configuration turns it on; 2.x has it on by default.</summary>
    public static TheoryData<string> RuntimesReadingVersion2Only => RealContainerd.Reading(2);

    private (int Exit, string Output) Scenario(string runtime, string dropIn, int configVersion)
    {
        string script = Path.Combine(RepoPaths.Root, "tests/ResMgrLite.Install.Tests/Scripts/containerd-dropin.sh");
        (int exit, string stdout, string stderr) = Shipped.Run(script,
            [runtime, dropIn, configVersion.ToString(CultureInfo.InvariantCulture), RepoPaths.PublishedBinary, _work], timeoutSeconds: 90);
        return (exit, stdout + stderr);
    }

    private static void AssertNriReady((int Exit, string Output) result)
    {
        Assert.True(result.Exit == 0, result.Output);
        Assert.Contains("ok: the merged configuration has NRI on", result.Output, StringComparison.Ordinal);
        Assert.Contains("loaded the NRI plugin", result.Output, StringComparison.Ordinal);
        Assert.Contains("ok: the pre-launched plugin registered", result.Output, StringComparison.Ordinal);
        Assert.Contains("ok: an external plugin connected on /var/run/nri/nri.sock", result.Output, StringComparison.Ordinal);
    }

    [RealContainerdTheory]
    [MemberData(nameof(EveryRuntime))]
    public void TheDropInInTheRuntimesOwnFormatTurnsNriOn(string runtime)
    {
        int version = RealContainerd.ConfigVersionOf(runtime);
        AssertNriReady(Scenario(runtime, Shipped.Packaging($"containerd/nri-v{version.ToString(CultureInfo.InvariantCulture)}.toml"), version));
    }

    [RealContainerdTheory]
    [MemberData(nameof(RuntimesReadingVersion3))]
    public void TheVersion2DropInWorksBesideAVersion2Config(string runtime) =>
        // A node upgraded from containerd 1.7 keeps its version 2 config.toml.
        AssertNriReady(Scenario(runtime, Shipped.Packaging("containerd/nri-v2.toml"), 2));

    [RealContainerdTheory]
    [MemberData(nameof(RuntimesReadingVersion3))]
    public void AVersion3DropInBesideAVersion2ConfigIsCaught(string runtime)
    {
        // Why the drop-in's version must match config.toml's (docs/install.md, step 3).
        (int exit, string output) = Scenario(runtime, Shipped.Packaging("containerd/nri-v3.toml"), 2);

        Assert.NotEqual(0, exit);
        Assert.Contains("FAIL: containerd ignored keys of the merged configuration", output, StringComparison.Ordinal);
    }

    [RealContainerdTheory]
    [MemberData(nameof(RuntimesReadingVersion2Only))]
    public void WithoutTheDropInNriIsOff(string runtime)
    {
        // The control: the scenario must fail when nothing turns NRI on.
        string empty = _work + "-empty.toml";
        File.WriteAllText(empty, "version = 2\n");
        try
        {
            (int exit, string output) = Scenario(runtime, empty, 2);

            Assert.NotEqual(0, exit);
            Assert.Contains("FAIL: the merged configuration does not have NRI on", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(empty);
        }
    }
}
