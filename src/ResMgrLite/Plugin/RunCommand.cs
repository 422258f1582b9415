using System.CommandLine;
using ResMgrLite.Nri;

namespace ResMgrLite.Plugin;

/// <summary>
/// <c>resmgrlite run</c>: the external-plugin mode (spec/nri-protocol.md §1.2). Part of
/// the root command (<see cref="Cli"/>); the pre-launched mode never reaches the parser (see <see cref="PluginMain.TryRunPreLaunched"/>).
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var socket = new Option<string>("--socket")
        {
            Description = "The runtime's NRI socket.",
            DefaultValueFactory = _ => NriConnectionOptions.DefaultSocketPath,
        };
        var name = new Option<string>("--name")
        {
            Description = "Plugin name sent in RegisterPlugin ([a-zA-Z0-9_.+-]+).",
            DefaultValueFactory = _ => PluginMain.DefaultPluginName,
        };
        var index = new Option<string>("--idx")
        {
            Description = "Plugin index, two digits; plugins are called in index order.",
            DefaultValueFactory = _ => PluginMain.DefaultPluginIndex,
        };
        var logFile = new Option<string?>("--log-file")
        {
            Description = "Log file; '-' is stderr, '' turns logging off. Without it: stderr until the configuration's log.target applies.",
        };
        var logLevel = new Option<string>("--log-level")
        {
            Description = "debug | info | warning | error.",
            DefaultValueFactory = _ => "info",
        };

        var config = new Option<string?>("--config")
        {
            Description = "Configuration file (TOML); external plugins get no configuration from the runtime. Without it: defaults.",
        };
        var sysfs = new Option<string>("--sysfs")
        {
            Description = "Root of the sysfs tree to read the machine from.",
            DefaultValueFactory = _ => PluginMain.DefaultSysfsRoot,
            Hidden = true,
        };

        name.Validators.Add(result =>
        {
            if (!NriConnectionOptions.IsValidPluginName(result.GetValueOrDefault<string>()))
            {
                result.AddError("--name must be non-empty and use only [a-zA-Z0-9_.+-]");
            }
        });
        index.Validators.Add(result =>
        {
            if (!NriConnectionOptions.IsValidPluginIndex(result.GetValueOrDefault<string>()))
            {
                result.AddError("--idx must be exactly two digits, e.g. 90");
            }
        });
        logLevel.Validators.Add(result =>
        {
            if (!PluginLog.TryParseLevel(result.GetValueOrDefault<string>(), out _))
            {
                result.AddError("--log-level must be debug, info, warning or error");
            }
        });

        var run = new Command("run", "Connect to the runtime as an external NRI plugin; reconnect after every disconnect until SIGTERM.")
        {
            socket, name, index, config, logFile, logLevel, sysfs,
        };
        run.SetAction((parse, cancellationToken) =>
        {
            PluginLog.TryParseLevel(parse.GetValue(logLevel), out ProtocolLogLevel level);
            return PluginMain.RunExternalAsync(
                parse.GetValue(socket)!,
                parse.GetValue(name)!,
                parse.GetValue(index)!,
                parse.GetValue(logFile),
                level,
                cancellationToken,
                parse.GetValue(config),
                parse.GetValue(sysfs)!);
        });
        return run;
    }
}
