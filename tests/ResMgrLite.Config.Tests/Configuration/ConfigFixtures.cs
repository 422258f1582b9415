using ResMgrLite.Config.Sources;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Config.Tests.Configuration;

internal static class ConfigFixtures
{
    public static string SamplePath => Path.Combine(RepoPaths.Root, "packaging", "90-resmgrlite.conf");

    public static ConfigLoadResult LoadToml(string toml, MachineFacts? machine = null, params (string Name, string Value)[] environment)
    {
        var variables = new System.Collections.Hashtable();
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }

        return ConfigLoader.Load([ConfigDocument.FromToml(toml, "test.conf"), ConfigDocument.FromEnvironment(variables)], machine);
    }

    /// <summary>A file as the executable hands it over (it reads through the host layer; tests read directly).</summary>
    public static ConfigDocument FromFile(string path) => ConfigDocument.FromFileContent(File.ReadAllBytes(path), path);

    public static string Messages(ConfigLoadResult result) => string.Join(Environment.NewLine, result.Problems);
}
