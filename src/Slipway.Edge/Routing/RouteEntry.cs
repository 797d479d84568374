namespace Slipway.Edge.Routing;

/// <summary>One host pattern + path prefix that leads to a service.</summary>
internal sealed record RouteEntry(string Host, string PathPrefix, string Service)
{
    /// <summary>Exact hosts beat wildcards, longer wildcard suffixes beat shorter ones, <c>*</c> comes last.</summary>
    public int HostRank { get; } = Host == "*" ? 0 : Host.StartsWith("*.", StringComparison.Ordinal) ? Host.Length : 10_000 + Host.Length;

    public bool MatchesHost(ReadOnlySpan<char> host)
    {
        if (Host == "*")
        {
            return true;
        }

        if (Host.StartsWith("*.", StringComparison.Ordinal))
        {
            // "*.example.com" matches "a.example.com" and "a.b.example.com", never "example.com" itself.
            var suffix = Host.AsSpan(1);
            return host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
        }

        return host.Equals(Host, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Segment-aware and, like hosts, case-insensitive: <c>/api</c> matches <c>/api</c>, <c>/API/x</c> and
    /// <c>/api/x</c>, not <c>/apix</c>. <paramref name="path"/> is in <see cref="RouteTable.NormalizePath"/> form.
    /// </summary>
    public bool MatchesPath(string path)
    {
        if (PathPrefix.Length == 1)
        {
            return true;
        }

        if (!path.StartsWith(PathPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return path.Length == PathPrefix.Length || path[PathPrefix.Length] == '/';
    }

    /// <summary>
    /// Lower-cases the host, collapses repeated slashes in the prefix and trims trailing ones (<c>//api/</c> is
    /// <c>/api</c>): a prefix is held in the same normalised form requests are matched in.
    /// </summary>
    public static RouteEntry Create(string host, string path, string service)
    {
        var normalizedHost = string.IsNullOrWhiteSpace(host) ? "*" : host.Trim().ToLowerInvariant();
        var normalizedPath = string.IsNullOrWhiteSpace(path) ? "/" : RouteTable.NormalizePath(path.Trim());
        if (normalizedPath.Length > 1)
        {
            normalizedPath = normalizedPath.TrimEnd('/');
            if (normalizedPath.Length == 0)
            {
                normalizedPath = "/";
            }
        }

        return new RouteEntry(normalizedHost, normalizedPath, service);
    }
}
