using Microsoft.AspNetCore.Http;

namespace Slipway.ControlPlane.Dashboard;

/// <summary>
/// Whether a state-changing request came from a page of this dashboard: browsers say where a request came from
/// (<c>Sec-Fetch-Site</c>, <c>Origin</c>), and anything but this very origin is refused before the anti-forgery
/// token is even looked at. Ports count: another service on the same host is another origin.
/// </summary>
internal static class RequestOrigin
{
    public static bool IsSameOrigin(HttpRequest request)
    {
        // Every current browser says where the request came from; it is the one answer to trust when present.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none";
        }

        // Under Referrer-Policy: no-referrer a browser sends `Origin: null` for its own form posts: no verdict.
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0 || origin == "null")
        {
            return true;
        }

        // Behind the edge the browser's host is the one the edge states (a proxy may rewrite Host itself).
        var forwardedHost = request.Headers["X-Forwarded-Host"].ToString();
        var host = forwardedHost.Length > 0 ? forwardedHost : request.Host.Value;
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, host, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A path to return to after sign-in: only a local one, never another site.</summary>
    public static string LocalPath(string? next) =>
        next is { Length: > 0 } && next[0] == '/' && !next.StartsWith("//", StringComparison.Ordinal) && !next.StartsWith("/\\", StringComparison.Ordinal)
            && !next.StartsWith("/sign-", StringComparison.Ordinal)
            ? next
            : "/";
}
