using System.Runtime.InteropServices;
using ResMgrLite.Nri;
using ResMgrLite.Observability;

namespace ResMgrLite.Plugin;

/// <summary>
/// Entry points of the NRI plugin for Program.cs: pre-launched (started by containerd from
/// <c>plugin_path</c>) and external (<c>resmgrlite run</c>).
/// </summary>
internal static class PluginMain
{
    /// <summary>Index used when none is given; 90 keeps resource management after most plugins.</summary>
    public const string DefaultPluginIndex = "90";

    public const string DefaultPluginName = "resmgrlite";

    public const string DefaultSysfsRoot = "/sys";

    /// <summary>
    /// Call first thing in <c>Main</c>, before System.CommandLine or any config is touched: when the
    /// environment says the runtime launched us (NRI_PLUGIN_SOCKET), runs the plugin to the end and
    /// returns true with the exit code. RegisterPlugin must leave within 20 ms of process start and a
    /// pre-launched plugin that misses the 5 s registration window makes containerd 1.7.24 exit
    /// (docs/nri-rules.md §6.4).
    /// </summary>
    public static bool TryRunPreLaunched(out int exitCode)
    {
        exitCode = 0;
        if (!NriEnvironment.TryGetPreLaunched(out NriPreLaunchedPlugin? plugin))
        {
            return false;
        }

        try
        {
            exitCode = RunPreLaunchedAsync(plugin!, PluginLog.ForPreLaunched(), DefaultSysfsRoot, CancellationToken.None).GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // Last line of defence: stdio is /dev/null, so report to the log file and exit non-zero.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            using PluginLog log = PluginLog.ForPreLaunched();
            // The type and message, never a stack trace: the log is read by operators.
            log.Write(ProtocolLogLevel.Error, $"pre-launched plugin stopped on an unexpected error ({ex.GetType().Name}: {ex.Message}); containerd starts it again when it restarts");
            exitCode = 1;
        }

        return true;
    }

    /// <summary>
    /// Pre-launched mode: one session on the inherited socket; returns 0 when the runtime closes it
    /// (containerd exited or restarted: a new instance will be launched, docs/nri-rules.md §6.5), 1 when
    /// registration failed, 2 when the identity is unusable.
    /// </summary>
    /// <param name="plugin">From <see cref="NriEnvironment.TryGetPreLaunched(out NriPreLaunchedPlugin?)"/>.</param>
    /// <param name="initialLog">The log until the configuration names another target; disposed at the end.</param>
    /// <param name="sysfsRoot">Where the machine topology is read (tests use synthetic trees).</param>
    internal static async Task<int> RunPreLaunchedAsync(NriPreLaunchedPlugin plugin, PluginLog initialLog, string sysfsRoot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        using PluginLog log = initialLog;
        NriConnectionOptions options;
        System.Net.Sockets.Socket? socket = null;
        try
        {
            socket = plugin.OpenSocket();
            options = new NriConnectionOptions { ConnectedSocket = socket, PluginName = plugin.Name, PluginIndex = plugin.Index };
            options.Validate();
        }
        catch (Exception ex) when (ex is ArgumentException or IOException)
        {
            // Both are worded by the NRI layer: a bad identity, or an fd that is not a socket.
            log.Write(ProtocolLogLevel.Error, $"cannot start as a pre-launched NRI plugin: {ex.Message}");
            socket?.Dispose();
            return 2;
        }

        await using var observability = new PluginObservability(log);
        var handler = new ResourcePolicyHandler(log, new HandlerOptions(sysfsRoot, $"conf.d/{plugin.Index}-{plugin.Name}.conf", ConfigFile: null, Environment.GetEnvironmentVariables(), Observability: observability, StartupFinished: ReleaseStartupPages(log)));
        using Hooks.HookFeedObserver hooks = Hooks.HookFeedObserver.Attach(handler, log);
        hooks.Counters.RunCounted = observability.Metrics.OnHookRun;
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, stop));
        int exit = await NriPluginHost.RunAsync(options, Measured(handler, observability), log, stop.Token).ConfigureAwait(false);
        handler.Stopping();
        log.Write(ProtocolLogLevel.Info, $"exiting with {exit}");
        return exit;
    }

    /// <summary>
    /// External mode (<c>resmgrlite run --socket PATH --name NAME --idx NN [--log-file PATH]
    /// [--log-level LEVEL]</c>): dials the runtime's socket and reconnects after every EOF until
    /// SIGTERM/SIGINT or <paramref name="cancellationToken"/>. Returns 0 then, 2 for bad arguments,
    /// a configuration file that does not exist or a log file that cannot be written.
    /// </summary>
    /// <param name="logFile">A file, "-" for stderr, "" for no log; null: stderr until the configuration's <c>log.target</c> applies.</param>
    public static async Task<int> RunExternalAsync(string socketPath, string name, string index, string? logFile, ProtocolLogLevel logLevel, CancellationToken cancellationToken, string? configFile = null, string sysfsRoot = DefaultSysfsRoot)
    {
        var options = new NriConnectionOptions { SocketPath = socketPath, PluginName = name, PluginIndex = index };

        // A log file that cannot be written or a configuration file that is not there would leave
        // the plugin running blind or on defaults the operator did not ask for: refuse to start.
        string? problem = options.Problem() ?? StartupFileChecks.LogFileProblem(logFile) ?? StartupFileChecks.ConfigFileProblem(configFile);
        if (problem is not null)
        {
            await StandardStreams.Error.WriteLineAsync($"resmgrlite run: {problem}").ConfigureAwait(false);
            return 2;
        }

        using PluginLog log = PluginLog.ForExternal(logFile, logLevel);

        // External plugins always get an empty config (docs/nri-rules.md §1.2): they read --config themselves.
        await using var observability = new PluginObservability(log);
        var handler = new ResourcePolicyHandler(log, new HandlerOptions(sysfsRoot, configFile ?? "defaults", configFile, Environment.GetEnvironmentVariables(), Observability: observability, StartupFinished: ReleaseStartupPages(log)));
        using Hooks.HookFeedObserver hooks = Hooks.HookFeedObserver.Attach(handler, log);
        hooks.Counters.RunCounted = observability.Metrics.OnHookRun;
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, stop));
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, stop));
        log.Write(ProtocolLogLevel.Info, $"external NRI plugin {index}-{name} using {socketPath}");
        int exit = await NriPluginHost.RunAsync(options, Measured(handler, observability), log, stop.Token).ConfigureAwait(false);
        handler.Stopping();
        log.Write(ProtocolLogLevel.Info, $"exiting with {exit}");
        return exit;
    }

    /// <summary>The handler as the NRI host sees it: every request timed into the metrics.</summary>
    private static MeasuredEventHandler Measured(ResourcePolicyHandler handler, PluginObservability observability) =>
        new(handler, observability.Metrics, () => handler.Status.Now.Reason);

    /// <summary>After start-up: the image's start-up pages leave the resident set; the released size is logged at debug.</summary>
    private static Action ReleaseStartupPages(PluginLog log) => () =>
    {
        long released = StartupPageRelease.Release();
        if (released > 0 && log.IsEnabled(ProtocolLogLevel.Debug))
        {
            log.Write(ProtocolLogLevel.Debug, $"start-up over: {released / 1024} KiB of the image's read-only mappings released (mapped again on use)");
        }
    };

    private static void Stop(PosixSignalContext context, CancellationTokenSource stop)
    {
        context.Cancel = true;
        stop.Cancel();
    }
}
