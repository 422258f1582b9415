using System.Text.RegularExpressions;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Install.Tests;

/// <summary>
/// The .deb that ./build.sh package writes: its file list with modes and owners, its control data
/// and conffiles, and a real installation into a scratch root with dpkg itself (dpkg --root, the
/// maintainer scripts run with DPKG_ROOT), through upgrade, external mode, removal and purge.
/// </summary>
public sealed partial class PackageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("resmgrlite-dpkg-root-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // Every path of the package: mode, owner, path. Nothing more, nothing less.
    private static readonly string[] ExpectedContents =
    [
        "drwxr-xr-x root/root ./",
        "drwxr-xr-x root/root ./etc/",
        "drwxr-xr-x root/root ./etc/logrotate.d/",
        "-rw-r--r-- root/root ./etc/logrotate.d/resmgrlite",
        "drwxr-xr-x root/root ./etc/nri/",
        "drwxr-xr-x root/root ./etc/nri/conf.d/",
        "-rw-r--r-- root/root ./etc/nri/conf.d/90-resmgrlite.conf",
        "drwxr-xr-x root/root ./lib/",
        "drwxr-xr-x root/root ./lib/systemd/",
        "drwxr-xr-x root/root ./lib/systemd/system/",
        "-rw-r--r-- root/root ./lib/systemd/system/resmgrlite.service",
        "drwxr-xr-x root/root ./usr/",
        "drwxr-xr-x root/root ./usr/bin/",
        "-rwxr-xr-x root/root ./usr/bin/resmgrlite",
        "drwxr-xr-x root/root ./usr/share/",
        "drwxr-xr-x root/root ./usr/share/doc/",
        "drwxr-xr-x root/root ./usr/share/doc/resmgrlite/",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/README.md.gz",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/changelog.gz",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/configuration.md.gz",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/copyright",
        "drwxr-xr-x root/root ./usr/share/doc/resmgrlite/examples/",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/examples/resmgrlite-daemonset.yaml",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/hooks.md.gz",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/inputs-memory.md.gz",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/inputs.md.gz",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/install.md.gz",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/logging.md.gz",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/metrics.md.gz",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/resize.md.gz",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/runtimes.md.gz",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/simulate.md.gz",
        "-rw-r--r-- root/root ./usr/share/doc/resmgrlite/state.md.gz",
        "drwxr-xr-x root/root ./usr/share/lintian/",
        "drwxr-xr-x root/root ./usr/share/lintian/overrides/",
        "-rw-r--r-- root/root ./usr/share/lintian/overrides/resmgrlite",
        "drwxr-xr-x root/root ./usr/share/man/",
        "drwxr-xr-x root/root ./usr/share/man/man1/",
        "-rw-r--r-- root/root ./usr/share/man/man1/resmgrlite.1.gz",
        "drwxr-xr-x root/root ./usr/share/resmgrlite/",
        "drwxr-xr-x root/root ./usr/share/resmgrlite/containerd/",
        "-rw-r--r-- root/root ./usr/share/resmgrlite/containerd/nri-v2.toml",
        "-rw-r--r-- root/root ./usr/share/resmgrlite/containerd/nri-v3.toml",
        "drwxr-xr-x root/root ./usr/share/resmgrlite/hooks/",
        "-rwxr-xr-x root/root ./usr/share/resmgrlite/hooks/cpufreq-governor",
        "-rwxr-xr-x root/root ./usr/share/resmgrlite/hooks/irq-affinity",
        "-rwxr-xr-x root/root ./usr/share/resmgrlite/hooks/log-allocations",
        "drwxr-xr-x root/root ./var/",
        "drwxr-xr-x root/root ./var/lib/",
        "drwxr-xr-x root/root ./var/lib/resmgrlite/",
    ];

    [Fact]
    public void The_package_holds_exactly_the_expected_paths_with_their_modes_and_owners()
    {
        (int exit, string listing, string stderr) = Shipped.Run("dpkg-deb", ["--contents", Shipped.Package]);
        Assert.True(exit == 0, stderr);

        // "drwxr-xr-x root/root  0 2026-12-03 10:00 ./etc/" -> "drwxr-xr-x root/root ./etc/"
        string[] entries = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(fields => $"{fields[0]} {fields[1]} {fields[5]}")
            .ToArray();
        Assert.Equal(ExpectedContents, entries);
    }

    [Fact]
    public void Control_data_names_the_version_the_static_link_and_the_conffiles()
    {
        string control = Shipped.Run("dpkg-deb", ["--field", Shipped.Package]).Stdout;
        Assert.Contains("Package: resmgrlite\n", control, StringComparison.Ordinal);
        Assert.Contains($"Version: {Shipped.Version}\n", control, StringComparison.Ordinal);
        Assert.Contains("Architecture: amd64\n", control, StringComparison.Ordinal);
        Assert.Matches(@"Built-Using: glibc \(= [^)]+\), gcc-12 \(= [^)]+\)", control);
        Assert.DoesNotContain("Depends:", control, StringComparison.Ordinal);   // static: nothing to depend on

        string conffiles = Shipped.Run("dpkg-deb", ["--info", Shipped.Package, "conffiles"]).Stdout;
        Assert.Equal(["/etc/nri/conf.d/90-resmgrlite.conf", "/etc/logrotate.d/resmgrlite"], conffiles.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Every_page_the_shipped_guides_link_to_is_shipped_beside_them()
    {
        string extracted = Path.Combine(_root, "x");
        Assert.Equal(0, Shipped.Run("dpkg-deb", ["-x", Shipped.Package, extracted]).Exit);
        string doc = Path.Combine(extracted, "usr/share/doc/resmgrlite");
        var missing = new List<string>();
        int links = 0;

        // README.md links into docs/ of the repository; the guides link to each other by name.
        foreach (string guide in Directory.GetFiles(doc, "*.md.gz").Where(g => Path.GetFileName(g) != "README.md.gz"))
        {
            using var text = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(guide), System.IO.Compression.CompressionMode.Decompress));
            foreach (Match link in MarkdownPageLink().Matches(text.ReadToEnd()))
            {
                links++;
                if (!File.Exists(Path.Combine(doc, link.Groups[1].Value + ".gz")))
                {
                    missing.Add($"{Path.GetFileName(guide)} -> {link.Groups[1].Value}");
                }
            }
        }

        Assert.True(links > 0, "the node guide links to no other page: the test would check nothing");
        Assert.Empty(missing);
    }

    [GeneratedRegex(@"\]\(([A-Za-z0-9_.-]+\.md)(?:#[^)]*)?\)")]
    private static partial Regex MarkdownPageLink();

    [Fact]
    public void The_manual_page_comes_from_the_help_of_every_command_and_formats_without_warnings()
    {
        string extracted = Path.Combine(_root, "x");
        Assert.Equal(0, Shipped.Run("dpkg-deb", ["-x", Shipped.Package, extracted]).Exit);
        string page = Path.Combine(extracted, "usr/share/man/man1/resmgrlite.1.gz");

        (int exit, string text, string warnings) = Shipped.Run("man", ["--warnings", "-l", page], new Dictionary<string, string> { ["MANWIDTH"] = "80", ["LC_ALL"] = "C.UTF-8" });

        Assert.True(exit == 0, warnings);
        Assert.Equal("", warnings.Trim());
        Assert.Contains("RESMGRLITE(1)", text, StringComparison.Ordinal);
        foreach (string command in new[] { "resmgrlite run", "resmgrlite topology", "resmgrlite validate", "resmgrlite conformance cpu" })
        {
            Assert.Contains(command, text, StringComparison.Ordinal);
        }
        Assert.Contains("--socket", text, StringComparison.Ordinal);           // an option of 'run', from its --help
        Assert.Contains("preferAlignByUncoreCache", text, StringComparison.Ordinal); // the input format of 'conformance cpu'
        // A wrapped description line is part of its entry, not a command of its own.
        Assert.DoesNotContain("resmgrlite every", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown command '", text, StringComparison.Ordinal);
        Assert.Contains("/etc/nri/conf.d/90-resmgrlite.conf", text, StringComparison.Ordinal);
    }

    private (int Exit, string Output) Dpkg(params string[] arguments)
    {
        (int exit, string stdout, string stderr) = Shipped.Run("dpkg", ["--root=" + _root, "--force-script-chrootless", "--log=/dev/null", .. arguments]);
        return (exit, stdout + stderr);
    }

    private string In(string path) => Path.Combine(_root, path.TrimStart('/'));

    [RootFact]
    public void DpkgInstallsUpgradesRemovesAndPurgesItInAScratchRoot()
    {
        foreach (string directory in new[] { "var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers" })
        {
            Directory.CreateDirectory(In(directory));
        }
        File.WriteAllText(In("var/lib/dpkg/status"), "");
        File.WriteAllText(In("var/lib/dpkg/available"), "");
        Directory.CreateDirectory(In("etc/containerd"));
        File.WriteAllText(In("etc/containerd/config.toml"), "version = 3\n");

        // Install: every file in place with its mode, the plugin link made, the next steps said.
        (int exit, string output) = Dpkg("-i", Shipped.Package);
        Assert.True(exit == 0, output);
        Assert.Equal("/usr/bin/resmgrlite", new FileInfo(In("opt/nri/plugins/90-resmgrlite")).LinkTarget);
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(In("usr/bin/resmgrlite")));
        Assert.Equal(File.ReadAllBytes(In("usr/bin/resmgrlite")), File.ReadAllBytes(RepoPaths.PublishedBinary));
        Assert.Equal(File.ReadAllText(Shipped.Packaging("90-resmgrlite.conf")), File.ReadAllText(In("etc/nri/conf.d/90-resmgrlite.conf")));
        Assert.True(Directory.Exists(In("var/lib/resmgrlite")));
        Assert.Contains("/usr/share/resmgrlite/containerd/nri-v3.toml", output, StringComparison.Ordinal);   // config.toml says version 3
        Assert.Contains("resmgrlite validate --config /etc/nri/conf.d/90-resmgrlite.conf", output, StringComparison.Ordinal);
        Assert.Contains("never restarts containerd", output, StringComparison.Ordinal);
        string status = Dpkg("-s", "resmgrlite").Output;
        Assert.Contains("Status: install ok installed", status, StringComparison.Ordinal);
        Assert.Matches(@"Conffiles:\n /etc/nri/conf.d/90-resmgrlite.conf [0-9a-f]{32}\n /etc/logrotate.d/resmgrlite [0-9a-f]{32}\n", status);
        foreach (string line in Dpkg("-L", "resmgrlite").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.True(Path.Exists(In(line)), $"dpkg lists {line}, which is not in the scratch root");
        }

        // The operator's edit and the plugin's state survive an upgrade (a reinstall of the same version).
        File.AppendAllText(In("etc/nri/conf.d/90-resmgrlite.conf"), "# edited on this node\n");
        File.WriteAllText(In("var/lib/resmgrlite/resmgrlite_state"), "{}");
        (exit, output) = Dpkg("-i", Shipped.Package);
        Assert.True(exit == 0, output);
        Assert.Contains($"upgraded from {Shipped.Version}", output, StringComparison.Ordinal);
        Assert.EndsWith("# edited on this node\n", File.ReadAllText(In("etc/nri/conf.d/90-resmgrlite.conf")), StringComparison.Ordinal);
        Assert.True(File.Exists(In("var/lib/resmgrlite/resmgrlite_state")));

        // External mode chosen (link removed, unit enabled): an upgrade does not bring the link back.
        File.Delete(In("opt/nri/plugins/90-resmgrlite"));
        Directory.CreateDirectory(In("etc/systemd/system/multi-user.target.wants"));
        File.CreateSymbolicLink(In("etc/systemd/system/multi-user.target.wants/resmgrlite.service"), "/lib/systemd/system/resmgrlite.service");
        (exit, output) = Dpkg("-i", Shipped.Package);
        Assert.True(exit == 0, output);
        Assert.False(Path.Exists(In("opt/nri/plugins/90-resmgrlite")));
        Assert.Contains("runs as an external plugin", output, StringComparison.Ordinal);
        File.Delete(In("etc/systemd/system/multi-user.target.wants/resmgrlite.service"));
        (exit, _) = Dpkg("-i", Shipped.Package);
        Assert.Equal(0, exit);
        Assert.True(Path.Exists(In("opt/nri/plugins/90-resmgrlite")));

        // Remove: binary and link gone, configuration and state kept for a reinstall.
        Directory.CreateDirectory(In("var/log"));
        File.WriteAllText(In("var/log/resmgrlite.log"), "log\n");
        (exit, output) = Dpkg("-r", "resmgrlite");
        Assert.True(exit == 0, output);
        Assert.False(Path.Exists(In("usr/bin/resmgrlite")));
        Assert.False(Path.Exists(In("opt/nri/plugins/90-resmgrlite")));
        Assert.Contains("containerd runs the copy it started until it restarts", output, StringComparison.Ordinal);
        Assert.True(File.Exists(In("etc/nri/conf.d/90-resmgrlite.conf")));
        Assert.True(File.Exists(In("var/lib/resmgrlite/resmgrlite_state")));

        // Purge: configuration, state and log gone too.
        (exit, output) = Dpkg("-P", "resmgrlite");
        Assert.True(exit == 0, output);
        Assert.False(Path.Exists(In("etc/nri/conf.d/90-resmgrlite.conf")));
        Assert.False(Path.Exists(In("var/lib/resmgrlite")));
        Assert.False(Path.Exists(In("var/log/resmgrlite.log")));
    }

    [RootFact]
    public void TheSystemdUnitVerifiesCleanly()
    {
        string extracted = Path.Combine(_root, "x");
        Assert.Equal(0, Shipped.Run("dpkg-deb", ["-x", Shipped.Package, extracted]).Exit);
        // systemd-analyze checks that ExecStart exists: point it at the extracted binary.
        string unit = Path.Combine(_root, "resmgrlite.service");
        File.WriteAllText(unit, File.ReadAllText(Path.Combine(extracted, "lib/systemd/system/resmgrlite.service"))
            .Replace("/usr/bin/resmgrlite", Path.Combine(extracted, "usr/bin/resmgrlite"), StringComparison.Ordinal));

        (int exit, string stdout, string stderr) = Shipped.Run("systemd-analyze", ["verify", "--man=no", unit]);

        Assert.True(exit == 0, stderr);
        Assert.Equal("", (stdout + stderr).Trim());
        string text = File.ReadAllText(unit);
        Assert.Contains("Restart=always", text, StringComparison.Ordinal);
        Assert.Contains("ExecStart=" + Path.Combine(extracted, "usr/bin/resmgrlite") + " run --socket /var/run/nri/nri.sock --config /etc/nri/conf.d/90-resmgrlite.conf", text, StringComparison.Ordinal);
        // Cgroup files, cpufreq and /proc/irq must stay writable: neither of these may appear.
        Assert.DoesNotMatch(UnitKeyPattern("ProtectControlGroups"), text);
        Assert.DoesNotMatch(UnitKeyPattern("ProtectKernelTunables"), text);
    }

    private static Regex UnitKeyPattern(string key) => new($"^{key}=(yes|true|1)", RegexOptions.Multiline);
}
