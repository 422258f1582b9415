namespace ResMgrLite.Config.Tests.Configuration;

public sealed class ConfigValidationReportTests
{
    [Fact]
    public void Sample_with_three_mistakes_prints_three_positioned_messages_and_exits_1()
    {
        string sample = File.ReadAllText(ConfigFixtures.SamplePath);
        string broken = sample
            .Replace("policy = \"best-effort\"", "policy = \"best_effort\"", StringComparison.Ordinal)
            .Replace("reservedSystemCPUs = \"0\"", "reservedSystemCPUs = \"0,9\"", StringComparison.Ordinal)
            .Replace("level = \"info\"", "levle = \"info\"", StringComparison.Ordinal);
        string path = Path.Combine(Path.GetTempPath(), $"resmgrlite-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, broken);
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();

            int code = ConfigValidationReport.Run(ConfigFixtures.FromFile(path), Machines.TwoNodes, new System.Collections.Hashtable(), stdout, stderr);

            Assert.Equal(ConfigValidationReport.ExitInvalid, code);
            string[] lines = stdout.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, lines.Length);
            Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(path)}:{LineOf(broken, "best_effort")}:1: topologyManager.policy: 'best_effort' is not allowed.*did you mean 'best-effort'\\?$", lines[0]);
            Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(path)}:{LineOf(broken, "\"0,9\"")}:1: cpuManager.reservedSystemCPUs: .*not online on this machine: \"9\"", lines[1]);
            Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(path)}:{LineOf(broken, "levle")}:1: unknown key 'log.levle' in \\[log\\]; did you mean 'level'\\?$", lines[2]);
            Assert.StartsWith($"{path}: 3 problems found; fix them, then: restart containerd", stderr.ToString().Trim(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static int LineOf(string text, string fragment) =>
        text.Split('\n').Select((line, index) => (line, index)).First(p => p.line.Contains(fragment, StringComparison.Ordinal)).index + 1;

    [Fact]
    public void Packaged_sample_passes_and_exits_0()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = ConfigValidationReport.Run(ConfigFixtures.FromFile(ConfigFixtures.SamplePath), Machines.TwoNodes, new System.Collections.Hashtable(), stdout, stderr);

        Assert.Equal(ConfigValidationReport.ExitValid, code);
        Assert.Equal($"{ConfigFixtures.SamplePath}: configuration is valid", stdout.ToString().Trim());
        Assert.Equal("", stderr.ToString());
    }
}
