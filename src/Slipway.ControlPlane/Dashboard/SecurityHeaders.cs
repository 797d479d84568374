using Microsoft.AspNetCore.Http;

namespace Slipway.ControlPlane.Dashboard;

/// <summary>
/// Headers on every dashboard answer: a CSP allowing only this origin's own script, style and images (no inline
/// script or style at all), no framing, no content sniffing, no referrer, and pages never cached.
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        if (!response.HttpContext.Request.Path.StartsWithSegments("/assets"))
        {
            headers.CacheControl = "no-store";
        }
    }
}
