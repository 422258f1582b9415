using System.Net.Sockets;

namespace ResMgrLite.Nri;

/// <summary>How the plugin reaches the runtime and what it calls itself there.</summary>
public sealed class NriConnectionOptions
{
    /// <summary>containerd's default external plugin socket (spec §1.1).</summary>
    public const string DefaultSocketPath = "/var/run/nri/nri.sock";

    /// <summary>
    /// Pre-launched mode: the socket the runtime passed (fd <c>NRI_PLUGIN_SOCKET</c>). One session;
    /// EOF ends it and the plugin exits (spec §6.5). Null: external mode, dial <see cref="SocketPath"/>.
    /// </summary>
    public Socket? ConnectedSocket { get; init; }

    public string SocketPath { get; init; } = DefaultSocketPath;

    /// <summary>Plugin name; v0.12 runtimes require <c>[a-zA-Z0-9_.+-]+</c> (spec §1.2).</summary>
    public required string PluginName { get; init; }

    /// <summary>Exactly two ASCII digits (spec §1.2).</summary>
    public required string PluginIndex { get; init; }

    /// <summary>How long to wait for the RegisterPlugin reply.</summary>
    public TimeSpan RegistrationTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an UpdateContainers call may take before it is reported as failed.</summary>
    public TimeSpan UpdateTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>External mode: first delay before reconnecting after EOF or a failed dial.</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>External mode: the delay doubles up to this cap.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    public bool IsPreLaunched => ConnectedSocket is not null;

    /// <summary>Throws <see cref="ArgumentException"/> for an identity the runtime would refuse.</summary>
    public void Validate()
    {
        if (!IsValidPluginName(PluginName))
        {
            ThrowHelper.ThrowArgument($"plugin name '{PluginName}' must be non-empty and use only [a-zA-Z0-9_.+-]", nameof(PluginName));
        }

        if (!IsValidPluginIndex(PluginIndex))
        {
            ThrowHelper.ThrowArgument($"plugin index '{PluginIndex}' must be exactly two digits", nameof(PluginIndex));
        }

        if (!IsPreLaunched && string.IsNullOrEmpty(SocketPath))
        {
            ThrowHelper.ThrowArgument("an external plugin needs a socket path", nameof(SocketPath));
        }

        if (ReconnectInitialDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectInitialDelay)
        {
            ThrowHelper.ThrowArgument("reconnect delays must be positive and the cap not below the initial delay", nameof(ReconnectMaxDelay));
        }
    }

    public static bool IsValidPluginName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '+' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsValidPluginIndex(string? index) =>
        index is { Length: 2 } && char.IsAsciiDigit(index[0]) && char.IsAsciiDigit(index[1]);
}
