using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Slipway.Edge.Forwarding;

/// <summary>
/// The forwarding headers a backend gets. A client's own <c>X-Forwarded-*</c>, <c>X-Real-IP</c> and
/// <c>Forwarded</c> are dropped and replaced with what the edge saw (peer address, scheme, host), so nobody
/// can claim another address by sending a header; only a peer in <see cref="TrustedProxies"/> (a load balancer
/// in front of the edge) has its headers kept, with the edge's own hop appended.
/// </summary>
internal static class ForwardedHeaders
{
    public const string XForwardedFor = "X-Forwarded-For";
    public const string XForwardedProto = "X-Forwarded-Proto";
    public const string XForwardedHost = "X-Forwarded-Host";
    public const string XRealIp = "X-Real-IP";
    public const string Forwarded = "Forwarded";

    private const string XForwardedPrefix = "X-Forwarded-";

    /// <summary>Runs after the request headers were copied to <paramref name="outgoing"/>.</summary>
    public static void Apply(HttpContext context, HttpRequestMessage outgoing, TrustedProxies trusted)
    {
        var request = context.Request;
        var incoming = request.Headers;
        var headers = outgoing.Headers;
        var peer = context.Connection.RemoteIpAddress;
        if (peer is { IsIPv4MappedToIPv6: true })
        {
            peer = peer.MapToIPv4();
        }

        var peerText = peer?.ToString();
        var host = request.Host.HasValue ? request.Host.Value : null;

        if (trusted.Contains(peer))
        {
            var chain = incoming[XForwardedFor];
            headers.Remove(XForwardedFor);
            var forwardedFor = StringValues.IsNullOrEmpty(chain) ? peerText : peerText is null ? chain.ToString() : $"{string.Join(", ", chain.ToArray())}, {peerText}";
            Add(headers, XForwardedFor, forwardedFor);
            if (!incoming.ContainsKey(XForwardedProto))
            {
                Add(headers, XForwardedProto, request.Scheme);
            }

            if (!incoming.ContainsKey(XForwardedHost))
            {
                Add(headers, XForwardedHost, host);
            }

            if (!incoming.ContainsKey(XRealIp))
            {
                Add(headers, XRealIp, peerText);
            }

            var forwarded = incoming[Forwarded];
            if (!StringValues.IsNullOrEmpty(forwarded))
            {
                headers.Remove(Forwarded);
                Add(headers, Forwarded, $"{string.Join(", ", forwarded.ToArray())}, {Element(peer, request.Scheme, host)}");
            }

            return;
        }

        // Whatever the client claimed goes.
        headers.Remove(XRealIp);
        headers.Remove(Forwarded);
        // The copied headers, enumerated without boxing (IHeaderDictionary's enumerator is an object per request);
        // a list only when a client did send one.
        List<string>? claimed = null;
        foreach (var header in headers.NonValidated)
        {
            if (header.Key.StartsWith(XForwardedPrefix, StringComparison.OrdinalIgnoreCase))
            {
                (claimed ??= []).Add(header.Key);
            }
        }

        for (var i = 0; i < claimed?.Count; i++)
        {
            headers.Remove(claimed[i]);
        }

        Add(headers, XForwardedFor, peerText);
        Add(headers, XForwardedProto, request.Scheme);
        Add(headers, XForwardedHost, host);
        Add(headers, XRealIp, peerText);
    }

    private static void Add(System.Net.Http.Headers.HttpRequestHeaders headers, string name, string? value)
    {
        if (value is not null)
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>One RFC 7239 element; an IPv6 node and a host with a port must be quoted.</summary>
    private static string Element(IPAddress? peer, string scheme, string? host)
    {
        var node = peer is null ? "unknown" : peer.AddressFamily == AddressFamily.InterNetworkV6 ? $"\"[{peer}]\"" : peer.ToString();
        return host is null ? $"for={node};proto={scheme}" : $"for={node};proto={scheme};host=\"{host}\"";
    }
}
