using ResMgrLite.CommandLine;
using ResMgrLite.Nri;

namespace ResMgrLite.Plugin;

/// <summary>
/// <c>resmgrlite run</c>: the external-plugin mode (docs/nri-rules.md §1.2). Part of
/// the root command (<see cref="Cli"/>); the pre-launched mode never reaches the parser (see <see cref="PluginMain.TryRunPreLaunched"/>).
/// </summary>
internal static class RunCommand
{
    public static CliCommand Create()
    {
        var socket = new CliOption
        {
            Name = "--socket",
            ValueName = "PATH",
            Description = "The runtime's NRI socket.",
            Default = NriConnectionOptions.DefaultSocketPath,
        };
        var name = new CliOption
        {
            Name = "--name",
            ValueName = "NAME",
            Description = "Plugin name sent in RegisterPlugin ([a-zA-Z0-9_.+-]+).",
            Default = PluginMain.DefaultPluginName,
            Check = value => NriConnectionOptions.IsValidPluginName(value) ? null : "--name must be non-empty and use only [a-zA-Z0-9_.+-]",
        };
        var index = new CliOption
        {
            Name = "--idx",
            ValueName = "NN",
            Description = "Plugin index, two digits; plugins are called in index order.",
            Default = PluginMain.DefaultPluginIndex,
            Check = value => NriConnectionOptions.IsValidPluginIndex(value) ? null : "--idx must be exactly two digits, e.g. 90",
        };
        var config = new CliOption
        {
            Name = "--config",
            ValueName = "FILE",
            Description = "Configuration file (TOML); external plugins get no configuration from the runtime. Without it: defaults.",
            Check = value => Cli.NonEmptyFile("--config", value),
        };
        var logFile = new CliOption
        {
            Name = "--log-file",
            ValueName = "FILE",
            Description = "Log file; '-' is stderr, '' turns logging off. Without it: stderr until the configuration's log.target applies.",
        };
        var logLevel = new CliOption
        {
            Name = "--log-level",
            ValueName = "LEVEL",
            Description = "debug | info | warning | error.",
            Default = "info",
            Check = value => PluginLog.TryParseLevel(value, out _) ? null : "--log-level must be debug, info, warning or error",
        };
        var sysfs = new CliOption
        {
            Name = "--sysfs",
            ValueName = "DIR",
            Description = "Root of the sysfs tree to read the machine from.",
            Default = PluginMain.DefaultSysfsRoot,
            Hidden = true,
        };

        return new CliCommand("run", "Connect to the runtime as an external NRI plugin; reconnect after every disconnect until SIGTERM.")
        {
            Options = [socket, name, index, config, logFile, logLevel, sysfs],
            Run = args =>
            {
                PluginLog.TryParseLevel(args.Required(logLevel), out ProtocolLogLevel level);
                // SIGTERM and SIGINT are handled inside (they end the session cleanly).
                return PluginMain.RunExternalAsync(
                    args.Required(socket),
                    args.Required(name),
                    args.Required(index),
                    args.Value(logFile),
                    level,
                    CancellationToken.None,
                    args.Value(config),
                    args.Required(sysfs)).GetAwaiter().GetResult();
            },
        };
    }
}
