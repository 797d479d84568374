using Microsoft.Extensions.Primitives;

namespace Slipway.Edge.Forwarding;

/// <summary>Headers that belong to one connection and must not be forwarded (RFC 9110 §7.6.1).</summary>
internal static class HopByHopHeaders
{
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection",
        "Keep-Alive",
        "Proxy-Connection",
        "Proxy-Authenticate",
        "Proxy-Authorization",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
    };

    public static bool IsHopByHop(string name) => Names.Contains(name);

    /// <summary>The names listed in a <c>Connection</c> header, which are hop-by-hop for this message.</summary>
    private static readonly HashSet<string> None = new(StringComparer.OrdinalIgnoreCase);

    /// <remarks>The result is shared when empty; callers only read it.</remarks>
    public static HashSet<string> NamedIn(StringValues connection)
    {
        if (StringValues.IsNullOrEmpty(connection))
        {
            return None;
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in connection)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            foreach (var token in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                names.Add(token);
            }
        }

        return names;
    }
}
