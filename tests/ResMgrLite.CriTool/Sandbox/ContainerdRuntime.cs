using System.Globalization;

namespace ResMgrLite.CriTool.Sandbox;

/// <summary>
/// One real containerd the end-to-end tests, the VM tests and the demo run on: a line of
/// tests/e2e/runtimes (the table tests/e2e/deps.sh downloads and checks from). <see cref="Name"/>
/// is what `--containerd` takes ("2.1", "1.7"); the first line is the newest and the default.
/// </summary>
internal sealed record ContainerdRuntime(string Name, string DebianVersion, string Suite, string NriVersion, int ConfigVersion)
{
    private static readonly Lazy<IReadOnlyList<ContainerdRuntime>> LazyAll = new(() => Parse(File.ReadAllText(TablePath)));

    /// <summary>Every runtime, newest first.</summary>
    public static IReadOnlyList<ContainerdRuntime> All => LazyAll.Value;

    public static ContainerdRuntime Default => All[0];

    public static string TablePath => Path.Combine(E2eEnvironment.Current.RepoRoot, "tests", "e2e", "runtimes");

    /// <summary>The major version: containerd 1.x and 2.x differ in NRI behaviour and configuration format.</summary>
    public int Major => int.Parse(Name.AsSpan(0, Name.IndexOf('.', StringComparison.Ordinal)), CultureInfo.InvariantCulture);

    /// <summary>The key suffix of this runtime's paths in the env file of tests/e2e/deps.sh ("2.1" → "2_1").</summary>
    public string EnvKey => Name.Replace('.', '_');

    /// <summary>The upstream version as containerd reports it to plugins ("2.1.9+ds1-5" → "2.1.9").</summary>
    public string UpstreamVersion => DebianVersion.Split('~', '+', '-')[0];

    public static ContainerdRuntime Find(string name) =>
        All.FirstOrDefault(runtime => runtime.Name == name)
        ?? throw new ArgumentException($"unknown containerd runtime '{name}' (known: {string.Join(", ", All.Select(r => r.Name))})", nameof(name));

    public static IReadOnlyList<ContainerdRuntime> Parse(string table)
    {
        var runtimes = new List<ContainerdRuntime>();
        foreach (var raw in table.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 5 || !int.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var configVersion)
                || fields[0].IndexOf('.', StringComparison.Ordinal) <= 0)
            {
                throw new FormatException($"tests/e2e/runtimes: '{line}' is not 'name debian-version suite nri config'");
            }

            runtimes.Add(new ContainerdRuntime(fields[0], fields[1], fields[2], fields[3], configVersion));
        }

        return runtimes.Count > 0 ? runtimes : throw new FormatException("tests/e2e/runtimes lists no runtime");
    }

    public override string ToString() => $"containerd {UpstreamVersion}";
}
