using Slipway.Edge.Routing;
using Slipway.Edge.Services;

namespace Slipway.Edge.Tls;

/// <summary>
/// The TLS policy of every route, matched like the route table (exact host, then wildcard, then <c>*</c>;
/// longest path prefix), rebuilt when services change and read lock-free per request.
/// </summary>
internal sealed class TlsPolicyTable
{
    private Entry[] _entries = [];

    public static bool IsLocal(string host) =>
        host is "*" or "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal) || System.Net.IPAddress.TryParse(host, out _);

    /// <summary>Exact hosts of routes with <c>tls: auto</c>: the names ACME gets certificates for.</summary>
    public IReadOnlyList<string> AutoHosts { get; private set; } = [];

    public void Rebuild(IEnumerable<PersistedService> services)
    {
        var entries = services
            .SelectMany(s => s.Definition.Routes.Select(r => new Entry(
                RouteEntry.Create(r.Host, r.Path, s.Name),
                r.Tls == "off" ? TlsPolicy.Off : new TlsPolicy(r.Tls, r.RedirectHttp, r.HstsMaxAgeSeconds, r.HstsIncludeSubdomains))))
            .OrderByDescending(e => e.Route.HostRank)
            .ThenByDescending(e => e.Route.PathPrefix.Length)
            .ToArray();
        AutoHosts = entries.Where(e => e.Policy.Mode == "auto" && !e.Route.Host.StartsWith('*') && !IsLocal(e.Route.Host))
            .Select(e => e.Route.Host).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Volatile.Write(ref _entries, entries);
    }

    public TlsPolicy For(string host, string path)
    {
        foreach (var entry in Volatile.Read(ref _entries))
        {
            if (entry.Route.MatchesHost(host) && entry.Route.MatchesPath(path))
            {
                return entry.Policy;
            }
        }

        return TlsPolicy.Off;
    }

    private sealed record Entry(RouteEntry Route, TlsPolicy Policy);
}
