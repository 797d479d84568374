using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Dashboard;

/// <summary>The browser's session on this request: the token it signed in with and the anti-forgery token its forms carry.</summary>
internal sealed record SignedIn(string SessionHash, TokenRecord Token, string Csrf, DateTimeOffset ExpiresAt)
{
    public bool MayWrite => Token.MayWrite;
}
