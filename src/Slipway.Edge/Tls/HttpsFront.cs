using Microsoft.AspNetCore.Http;
using Slipway.Edge.Acme;

namespace Slipway.Edge.Tls;

/// <summary>
/// What the edge answers itself in front of the proxy. On the HTTP listener: HTTP-01 challenges, then a 301
/// to https for routes with TLS on whose host has a certificate. On the TLS listener: the route's HSTS header.
/// </summary>
internal sealed class HttpsFront(TlsPolicyTable policies, CertificateStore certificates, ChallengeResponder challenges, Func<int?> httpsPort)
{
    public async Task HandleHttpAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith(ChallengeResponder.HttpPathPrefix, StringComparison.Ordinal))
        {
            if (challenges.KeyAuthorization(path[ChallengeResponder.HttpPathPrefix.Length..]) is { } answer)
            {
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync(answer, context.RequestAborted);
                return;
            }

            // Not one of ours: the app may answer its own challenges.
            await next(context);
            return;
        }

        var host = context.Request.Host.Host;
        if (httpsPort() is { } port && policies.For(host, path) is { IsOn: true, RedirectHttp: true } && certificates.Current.Covers(host))
        {
            var authority = port == 443 ? host : $"{host}:{port}";
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = $"https://{authority}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
            return;
        }

        await next(context);
    }

    public Task HandleHttpsAsync(HttpContext context, RequestDelegate next)
    {
        if (policies.For(context.Request.Host.Host, context.Request.Path.Value ?? "/").HstsHeader is { } hsts)
        {
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.StrictTransportSecurity = hsts;
                return Task.CompletedTask;
            });
        }

        return next(context);
    }
}
