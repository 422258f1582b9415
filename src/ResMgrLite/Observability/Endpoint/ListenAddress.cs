using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ResMgrLite.Observability.Endpoint;

/// <summary>
/// <c>metrics.listenAddress</c>: <c>host:port</c> (an IP literal, <c>[v6]</c>, <c>localhost</c>, or
/// empty for every interface) or <c>unix:/absolute/path</c> for nodes that want no TCP port. Host
/// names other than localhost are refused: the plugin has no resolver (static binary, empty
/// environment) and a metrics port should not depend on DNS.
/// </summary>
internal static class ListenAddress
{
    public const string UnixPrefix = "unix:";

    public static bool TryParse(string text, out EndPoint? endPoint, out string? error)
    {
        endPoint = null;
        error = null;
        if (text.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            string path = text[UnixPrefix.Length..];
            if (!path.StartsWith('/') || path.Length > 107)
            {
                error = $"'{text}': a unix socket address needs an absolute path of at most 107 bytes (unix:/run/resmgrlite/metrics.sock)";
                return false;
            }
            endPoint = new UnixDomainSocketEndPoint(path);
            return true;
        }
        int colon = text.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 0 or > 65535)
        {
            error = $"'{text}' is not host:port (e.g. \"127.0.0.1:9464\", \":9464\") or unix:/path";
            return false;
        }
        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        IPAddress? address = host switch
        {
            "" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.TryParse(host, out IPAddress? parsed) ? parsed : null,
        };
        if (address is null)
        {
            error = $"'{host}' in '{text}' is not an IP address; use an address such as 127.0.0.1 or [::1] (host names are not resolved)";
            return false;
        }
        endPoint = new IPEndPoint(address, port);
        return true;
    }
}
