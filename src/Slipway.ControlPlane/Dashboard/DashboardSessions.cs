using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Slipway.ControlPlane.Auth;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Dashboard;

/// <summary>
/// Dashboard sign-in. A pasted token is exchanged for a random session secret in an HttpOnly, SameSite=Strict
/// cookie (Secure when the browser came over TLS) that expires; the store keeps only the secret's SHA-256, so
/// sessions survive a restart or a self-deploy and sign-out ends them everywhere. The token itself never reaches
/// a cookie, URL or page. Forms carry an anti-forgery token derived from the session secret (HMAC), which a
/// page on another origin cannot read or compute.
/// </summary>
internal sealed class DashboardSessions(SlipwayStore store, AdminTokens tokens, TimeProvider time)
{
    public const string CookieName = "slipway_session";
    public const string CsrfField = "csrf";

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private static readonly byte[] CsrfPurpose = Encoding.ASCII.GetBytes("slipway dashboard anti-forgery v1");

    /// <summary>Checks a pasted token; on success starts a session and sets its cookie. Null for a wrong or revoked token.</summary>
    public TokenRecord? SignIn(HttpContext context, string? pastedToken)
    {
        var token = string.IsNullOrWhiteSpace(pastedToken) ? null : tokens.AuthenticateSecret(pastedToken.Trim());
        if (token is null)
        {
            return null;
        }

        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var expires = time.GetUtcNow() + Lifetime;
        store.CreateDashboardSession(SlipwayStore.HashToken(secret), token.Id, expires);
        store.TouchToken(token.Id);
        context.Response.Cookies.Append(CookieName, secret, new CookieOptions
        {
            HttpOnly = true,
            Secure = IsTls(context.Request),
            SameSite = SameSiteMode.Strict,
            Path = "/",
            Expires = expires,
            IsEssential = true,
        });
        return token;
    }

    /// <summary>The live session this request's cookie names: not ended, not expired, its token not revoked. Null otherwise.</summary>
    public SignedIn? Current(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var secret) || string.IsNullOrEmpty(secret) || secret.Length > 200)
        {
            return null;
        }

        var hash = SlipwayStore.HashToken(secret);
        var session = store.GetDashboardSession(hash);
        if (session is null || session.EndedAt is not null || session.ExpiresAt <= time.GetUtcNow())
        {
            return null;
        }

        var token = store.GetToken(session.TokenId);
        return token is null || token.IsRevoked ? null : new SignedIn(hash, token, CsrfFor(secret), session.ExpiresAt);
    }

    /// <summary>Whether <paramref name="presented"/> is the session's anti-forgery token (constant-time).</summary>
    public static bool CsrfMatches(SignedIn session, string? presented) =>
        presented is { Length: > 0 }
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), Encoding.ASCII.GetBytes(session.Csrf));

    public void SignOut(HttpContext context, SignedIn session)
    {
        store.EndDashboardSession(session.SessionHash);
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = IsTls(context.Request) });
    }

    /// <summary>TLS to the browser: on this connection, or at the edge in front of it (which sets X-Forwarded-Proto itself).</summary>
    public static bool IsTls(HttpRequest request) =>
        request.IsHttps || string.Equals(request.Headers["X-Forwarded-Proto"].ToString(), "https", StringComparison.OrdinalIgnoreCase);

    private static string CsrfFor(string secret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), CsrfPurpose));
}
