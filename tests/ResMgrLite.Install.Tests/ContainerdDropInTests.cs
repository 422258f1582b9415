using ResMgrLite.TestSupport;

namespace ResMgrLite.Install.Tests;

/// <summary>
/// The packaged NRI drop-ins against the real containerd of each version: the published plugin,
/// linked into /opt/nri/plugins the way the package does it, must register as a pre-launched plugin
/// and an external plugin must connect on /var/run/nri/nri.sock (Scripts/containerd-dropin.sh, in a
/// private mount namespace so the host's /opt, /run and /var stay untouched).
/// containerd 1.7.24 comes from the end-to-end dependencies (tests/e2e/deps.sh); containerd 2.x
/// from wherever they put it under .work/e2e.
/// </summary>
[Collection(RealContainerd.Collection)]
public sealed class ContainerdDropInTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("resmgrlite-dropin-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private (int Exit, string Output) Scenario(string containerd, string dropIn, int configVersion)
    {
        string script = Path.Combine(RepoPaths.Root, "tests/ResMgrLite.Install.Tests/Scripts/containerd-dropin.sh");
        (int exit, string stdout, string stderr) = Shipped.Run(script,
            [containerd, Shipped.Packaging($"containerd/{dropIn}"), configVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), RepoPaths.PublishedBinary, _work]);
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

    [RealContainerdFact(1)]
    public void TheVersion2DropInTurnsNriOnInContainerd17() =>
        AssertNriReady(Scenario(RealContainerd.Find(1)!, "nri-v2.toml", 2));

    [RealContainerdFact(1)]
    public void WithoutTheDropInContainerd17HasNriOff()
    {
        // The control: the scenario must fail when nothing turns NRI on.
        string empty = Path.Combine(Path.GetDirectoryName(_work)!, Path.GetFileName(_work) + "-empty.toml");
        File.WriteAllText(empty, "version = 2\n");
        try
        {
            string script = Path.Combine(RepoPaths.Root, "tests/ResMgrLite.Install.Tests/Scripts/containerd-dropin.sh");
            (int exit, string stdout, _) = Shipped.Run(script, [RealContainerd.Find(1)!, empty, "2", RepoPaths.PublishedBinary, _work]);
            Assert.NotEqual(0, exit);
            Assert.Contains("FAIL: the merged configuration does not have NRI on", stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(empty);
        }
    }

    [RealContainerdFact(2)]
    public void TheVersion3DropInTurnsNriOnInContainerd2() =>
        AssertNriReady(Scenario(RealContainerd.Find(2)!, "nri-v3.toml", 3));

    [RealContainerdFact(2)]
    public void TheVersion2DropInTurnsNriOnInContainerd2WithAVersion2Config() =>
        AssertNriReady(Scenario(RealContainerd.Find(2)!, "nri-v2.toml", 2));

    [RealContainerdFact(2)]
    public void AVersion3DropInBesideAVersion2ConfigIsCaught()
    {
        // Why the drop-in's version must match config.toml's (docs/install.md, step 3).
        (int exit, string output) = Scenario(RealContainerd.Find(2)!, "nri-v3.toml", 2);

        Assert.NotEqual(0, exit);
        Assert.Contains("FAIL: containerd ignored keys of the merged configuration", output, StringComparison.Ordinal);
    }
}
