using System.Globalization;

namespace ResMgrLite.Nri;

/// <summary>Reads the three variables a runtime sets for a pre-launched plugin.</summary>
internal static class NriEnvironment
{
    public const string SocketVariable = "NRI_PLUGIN_SOCKET";
    public const string NameVariable = "NRI_PLUGIN_NAME";
    public const string IndexVariable = "NRI_PLUGIN_IDX";

    /// <summary>
    /// True when <c>NRI_PLUGIN_SOCKET</c> names an fd, i.e. the runtime launched us (the Go stub's
    /// rule). Name and index come from <c>NRI_PLUGIN_NAME</c>/<c>NRI_PLUGIN_IDX</c>, or, like the Go
    /// stub, from an executable named <c>NN-name</c>. Cheap: no I/O beyond the environment, because
    /// RegisterPlugin must leave within 20 ms of process start.
    /// </summary>
    public static bool TryGetPreLaunched(out NriPreLaunchedPlugin? plugin) =>
        TryGetPreLaunched(Environment.GetEnvironmentVariable, Environment.ProcessPath, out plugin);

    internal static bool TryGetPreLaunched(Func<string, string?> getVariable, string? processPath, out NriPreLaunchedPlugin? plugin)
    {
        plugin = null;
        string? socket = getVariable(SocketVariable);
        if (string.IsNullOrEmpty(socket)
            || !int.TryParse(socket, NumberStyles.None, CultureInfo.InvariantCulture, out int fd))
        {
            return false;
        }

        string? name = getVariable(NameVariable);
        string? index = getVariable(IndexVariable);
        if ((string.IsNullOrEmpty(name) || string.IsNullOrEmpty(index)) && processPath is not null)
        {
            string file = Path.GetFileName(processPath);
            int dash = file.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0)
            {
                index = string.IsNullOrEmpty(index) ? file[..dash] : index;
                name = string.IsNullOrEmpty(name) ? file[(dash + 1)..] : name;
            }
        }

        plugin = new NriPreLaunchedPlugin(fd, name ?? string.Empty, index ?? string.Empty);
        return true;
    }
}
