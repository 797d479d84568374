using System.Collections.Immutable;

namespace Slipway.Edge.Routing;

/// <summary>
/// Immutable host + path → service map. The request path reads one snapshot; writers build a new table and
/// swap it in whole. Entries are ordered most specific first, so the first match wins: the most specific
/// host that has a matching path, and within it the longest path prefix.
/// </summary>
internal sealed class RouteTable
{
    public static readonly RouteTable Empty = new([]);

    private readonly ImmutableArray<RouteEntry> _entries;

    public RouteTable(IEnumerable<RouteEntry> entries)
    {
        _entries = [.. entries
            .OrderByDescending(e => e.HostRank)
            .ThenByDescending(e => e.PathPrefix.Length)
            .ThenBy(e => e.Service, StringComparer.Ordinal)];
    }

    public ImmutableArray<RouteEntry> Entries => _entries;

    /// <summary>The service for a host (without port) and path, or null when nothing matches.</summary>
    public string? Match(string host, string path)
    {
        var bareHost = StripPort(host);
        var requestPath = NormalizePath(path);
        foreach (var entry in _entries)
        {
            if (entry.MatchesHost(bareHost) && entry.MatchesPath(requestPath))
            {
                return entry.Service;
            }
        }

        return null;
    }

    /// <summary>
    /// The one form paths are routed in (docs/edge-data-plane.md, "Path routing"): Kestrel has already decoded
    /// percent-escapes other than <c>%2F</c> and removed <c>.</c> and <c>..</c> segments; here runs of slashes become
    /// one (<c>//api/x</c> is <c>/api/x</c>, as most backends read it) and an empty path is <c>/</c>. Case is kept;
    /// the comparison ignores it. What the backend receives is untouched: the forwarder sends the original bytes.
    /// </summary>
    public static string NormalizePath(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        if (!path.Contains("//", StringComparison.Ordinal))
        {
            // The common case allocates nothing.
            return path;
        }

        var builder = new System.Text.StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c != '/' || builder.Length == 0 || builder[^1] != '/')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    // A span, not a substring: this runs for every request.
    private static ReadOnlySpan<char> StripPort(string host)
    {
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? host.AsSpan(0, end + 1) : host;
        }

        var colon = host.LastIndexOf(':');
        return colon >= 0 ? host.AsSpan(0, colon) : host;
    }
}
