using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Slipway.ControlPlane.Auth;
using Slipway.ControlPlane.Dashboard;
using Slipway.ControlPlane.Store;
using Slipway.ControlPlane.Tests.Store;

namespace Slipway.ControlPlane.Tests.Dashboard;

public sealed class DashboardSessionsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact]
    public void SignIn_RightToken_SetsAStrictHttpOnlyCookieThatIsNotTheToken_AndTheSessionHoldsUntilExpiry()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"), _time);
        var sessions = new DashboardSessions(store, new AdminTokens(store), _time);
        var token = store.CreateToken("ops", TokenRole.Viewer);
        var context = new DefaultHttpContext();

        Assert.NotNull(sessions.SignIn(context, token.Secret));

        var cookie = SetCookieHeaderValue.Parse(context.Response.Headers.SetCookie.ToString());
        Assert.Equal(DashboardSessions.CookieName, cookie.Name.ToString());
        Assert.True(cookie.HttpOnly);
        Assert.False(cookie.Secure);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Strict, cookie.SameSite);
        Assert.DoesNotContain(token.Secret, cookie.Value.ToString());
        var session = sessions.Current(WithCookie(cookie.Value.ToString()));
        Assert.NotNull(session);
        Assert.False(session.MayWrite);
        Assert.True(DashboardSessions.CsrfMatches(session, session.Csrf));
        // One character changed (the last one, to a different character: "0" itself when it ended otherwise).
        Assert.False(DashboardSessions.CsrfMatches(session, session.Csrf[..^1] + (session.Csrf[^1] == '0' ? "1" : "0")));
        Assert.False(DashboardSessions.CsrfMatches(session, null));

        _time.Advance(DashboardSessions.Lifetime);
        Assert.Null(sessions.Current(WithCookie(cookie.Value.ToString())));
    }

    [Fact]
    public void Current_AfterSignOutOrRevokingTheToken_IsNull_AndAWrongTokenStartsNoSession()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"), _time);
        var sessions = new DashboardSessions(store, new AdminTokens(store), _time);
        var token = store.CreateToken("ops");

        Assert.Null(sessions.SignIn(new DefaultHttpContext(), "slw_wrong"));
        var first = SignIn(sessions, token.Secret);
        var second = SignIn(sessions, token.Secret);
        var session = sessions.Current(WithCookie(first))!;
        Assert.True(session.MayWrite);

        sessions.SignOut(new DefaultHttpContext(), session);
        Assert.Null(sessions.Current(WithCookie(first)));
        Assert.NotNull(sessions.Current(WithCookie(second)));

        store.RevokeToken(token.Token.Id);
        Assert.Null(sessions.Current(WithCookie(second)));
    }

    [Fact]
    public void SignIn_BehindTlsAtTheEdge_MarksTheCookieSecure()
    {
        using var store = SlipwayStore.Open(_dir.File("slipway.db"), _time);
        var sessions = new DashboardSessions(store, new AdminTokens(store), _time);
        var context = new DefaultHttpContext();
        context.Request.Headers["X-Forwarded-Proto"] = "https";

        sessions.SignIn(context, store.CreateToken("ops").Secret);

        Assert.True(SetCookieHeaderValue.Parse(context.Response.Headers.SetCookie.ToString()).Secure);
    }

    public void Dispose() => _dir.Dispose();

    private static string SignIn(DashboardSessions sessions, string secret)
    {
        var context = new DefaultHttpContext();
        sessions.SignIn(context, secret);
        return SetCookieHeaderValue.Parse(context.Response.Headers.SetCookie.ToString()).Value.ToString();
    }

    private static DefaultHttpContext WithCookie(string value)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = $"{DashboardSessions.CookieName}={value}";
        return context;
    }
}
