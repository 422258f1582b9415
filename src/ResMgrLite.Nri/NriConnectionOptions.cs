using System.Net.Sockets;

namespace ResMgrLite.Nri;

/// <summary>How the plugin reaches the runtime and what it calls itself there.</summary>
internal sealed class NriConnectionOptions
{
    /// <summary>containerd's default external plugin socket (docs/nri-rules.md §1.1).</summary>
    public const string DefaultSocketPath = "/var/run/nri/nri.sock";

    /// <summary>
    /// Pre-launched mode: the socket the runtime passed (fd <c>NRI_PLUGIN_SOCKET</c>). One session;
    /// EOF ends it and the plugin exits (docs/nri-rules.md §6.5). Null: external mode, dial <see cref="SocketPath"/>.
    /// </summary>
    public Socket? ConnectedSocket { get; init; }

    public string SocketPath { get; init; } = DefaultSocketPath;

    /// <summary>Plugin name; v0.12 runtimes require <c>[a-zA-Z0-9_.+-]+</c> (docs/nri-rules.md §1.2).</summary>
    public required string PluginName { get; init; }

    /// <summary>Exactly two ASCII digits (docs/nri-rules.md §1.2).</summary>
    public required string PluginIndex { get; init; }

    /// <summary>How long to wait for the RegisterPlugin reply.</summary>
    public TimeSpan RegistrationTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an UpdateContainers call may take per update it carries before it is reported as failed.</summary>
    public TimeSpan UpdateTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>External mode: first delay before reconnecting after EOF or a failed dial.</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>External mode: the delay doubles up to this cap.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>External mode: while the socket stays unreachable, its reason is logged again this often.</summary>
    public TimeSpan ConnectProblemRepeatInterval { get; init; } = TimeSpan.FromMinutes(1);

    public bool IsPreLaunched => ConnectedSocket is not null;

    /// <summary>Throws <see cref="ArgumentException"/> with <see cref="Problem"/> for options that cannot work.</summary>
    public void Validate()
    {
        if (Problem() is { } problem)
        {
            throw new ArgumentException(problem);
        }
    }

    /// <summary>Why the runtime would refuse this identity or the host could not use these options; null when they are fine.</summary>
    public string? Problem()
    {
        if (!IsValidPluginName(PluginName))
        {
            return $"plugin name '{PluginName}' must be non-empty and use only [a-zA-Z0-9_.+-]";
        }

        if (!IsValidPluginIndex(PluginIndex))
        {
            return $"plugin index '{PluginIndex}' must be exactly two digits";
        }

        if (!IsPreLaunched && string.IsNullOrEmpty(SocketPath))
        {
            return "an external plugin needs a socket path";
        }

        if (ReconnectInitialDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectInitialDelay)
        {
            return "reconnect delays must be positive and the cap not below the initial delay";
        }

        return null;
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
