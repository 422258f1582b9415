namespace ResMgrLite.CriTool.Sandbox;

/// <summary>
/// A plugin containerd starts itself: <paramref name="SourceBinary"/> is copied into the
/// sandbox's plugin_path as <paramref name="FileName"/>, which must be "NN-name" (containerd
/// 1.7.24 treats a malformed name as a fatal NRI error; docs/nri-rules.md §1.3), and
/// <paramref name="Config"/>, when given, becomes conf.d/NN-name.conf, handed to the plugin
/// unparsed in ConfigureRequest.config. "{sandbox}" in the config stands for the sandbox directory.
/// </summary>
internal sealed record PreLaunchedPlugin(string SourceBinary, string FileName, string? Config)
{
    public const string SandboxPlaceholder = "{sandbox}";

    public static void ValidateFileName(string fileName)
    {
        var dash = fileName.IndexOf('-', StringComparison.Ordinal);
        if (dash != 2 || !char.IsAsciiDigit(fileName[0]) || !char.IsAsciiDigit(fileName[1]) || fileName.Length == 3)
        {
            throw new ArgumentException($"pre-launched plugin file name '{fileName}' is not NN-name", nameof(fileName));
        }
    }
}
