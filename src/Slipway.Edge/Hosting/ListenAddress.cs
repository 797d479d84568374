using System.Globalization;
using System.Net;

namespace Slipway.Edge.Hosting;

/// <summary>Parses listener addresses written as <c>HOST:PORT</c> (<c>127.0.0.1:8080</c>, <c>[::1]:8080</c>, <c>localhost:8080</c>).</summary>
public static class ListenAddress
{
    public static bool TryParse(string? value, out IPEndPoint endpoint)
    {
        endpoint = new IPEndPoint(IPAddress.Loopback, 0);
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1)
        {
            return false;
        }

        var host = value[..colon];
        if (!int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            return false;
        }

        IPAddress? address;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (host.StartsWith('[') && host.EndsWith(']'))
        {
            if (!IPAddress.TryParse(host[1..^1], out address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }
        }
        else if (!IPAddress.TryParse(host, out address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            // A bare IPv6 address is ambiguous with its port; it must be bracketed.
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
