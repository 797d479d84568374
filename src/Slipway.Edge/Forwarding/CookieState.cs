using System.Collections.Immutable;
using Microsoft.AspNetCore.Http;
using Slipway.Edge.Routing;

namespace Slipway.Edge.Forwarding;

/// <summary>
/// One request's cookie reads and the sticky cookies to set on its response. The response callback is
/// registered only when there is a cookie to set, so a request without canary or affinity gets no response callback.
/// </summary>
internal sealed class CookieState(HttpContext context)
{
    private ImmutableArray<ResponseCookie> _cookies = [];
    private bool _registered;
    private Func<string, string?>? _reader;

    /// <summary>Reads a request cookie; the selector calls it only for services with canary or affinity.</summary>
    public Func<string, string?> Reader => _reader ??= name => context.Request.Cookies[name];

    /// <summary>The cookies of the lease that serves the request; a retry's lease replaces the first one's.</summary>
    public void Set(ImmutableArray<ResponseCookie> cookies)
    {
        _cookies = cookies;
        if (_registered || cookies.IsDefaultOrEmpty || context.Response.HasStarted)
        {
            return;
        }

        _registered = true;
        context.Response.OnStarting(static state =>
        {
            var self = (CookieState)state;
            foreach (var cookie in self._cookies)
            {
                self.Append(cookie);
            }

            return Task.CompletedTask;
        }, this);
    }

    private void Append(ResponseCookie cookie) =>
        context.Response.Cookies.Append(cookie.Name, cookie.Value, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax });
}
