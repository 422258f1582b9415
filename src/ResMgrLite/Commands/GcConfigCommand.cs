namespace ResMgrLite.Commands;

/// <summary>
/// <c>resmgrlite debug gc-config</c> (hidden): the settings the garbage collector actually runs with,
/// as it reports them. The runtime knobs baked into the binary at publish time (ResMgrLite.csproj)
/// must show here when the process has no environment at all (<c>env -i</c>), the way containerd
/// starts a pre-launched plugin; a knob the runtime does not read does not change these values.
/// </summary>
internal static class GcConfigCommand
{
    internal static int Run(TextWriter stdout)
    {
        var lines = new List<string>();
        foreach (KeyValuePair<string, object> setting in GC.GetConfigurationVariables())
        {
            lines.Add($"{setting.Key} = {setting.Value}");
        }
        lines.Sort(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            stdout.WriteLine(line);
        }
        return 0;
    }
}
