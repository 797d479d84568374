using System.Net;

namespace Slipway.Edge.Forwarding;

/// <summary>
/// The peers whose forwarding headers (<c>X-Forwarded-*</c>, <c>X-Real-IP</c>, <c>Forwarded</c>) the edge
/// believes: another load balancer in front of it. Anyone else's are replaced with what the edge saw.
/// </summary>
public sealed class TrustedProxies
{
    public static readonly TrustedProxies None = new([]);

    private readonly IPNetwork[] _networks;

    private TrustedProxies(IPNetwork[] networks) => _networks = networks;

    public bool IsEmpty => _networks.Length == 0;

    public bool Contains(IPAddress? address)
    {
        if (address is null || _networks.Length == 0)
        {
            return false;
        }

        var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in _networks)
        {
            if (network.Contains(normalized))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses <c>CIDR,CIDR,...</c>; a bare address means that one address.</summary>
    public static bool TryParse(string? text, out TrustedProxies proxies, out string? error)
    {
        proxies = None;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var networks = new List<IPNetwork>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(part, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(part, out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                error = $"'{part}' is not an address or a CIDR range; write e.g. 10.0.0.0/8,192.168.1.10,fd00::/8.";
                return false;
            }
        }

        proxies = new TrustedProxies([.. networks]);
        return true;
    }

    public override string ToString() => string.Join(",", _networks.Select(n => n.ToString()));
}
