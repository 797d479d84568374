using Microsoft.AspNetCore.Http;
using Slipway.ControlPlane.Dashboard;

namespace Slipway.ControlPlane.Tests.Dashboard;

public sealed class RequestOriginTests
{
    [Theory]
    [InlineData("same-origin", null, true)]
    [InlineData("none", null, true)]
    [InlineData("same-site", null, false)] // another port on the same host is another origin
    [InlineData("cross-site", "http://127.0.0.1:7070", false)]
    [InlineData(null, "http://127.0.0.1:7070", true)]
    [InlineData(null, "http://127.0.0.1:9999", false)]
    [InlineData(null, "https://evil.example", false)]
    [InlineData(null, "null", true)]
    [InlineData(null, null, true)]
    public void IsSameOrigin_ByWhatTheBrowserSays(string? fetchSite, string? origin, bool expected)
    {
        var request = new DefaultHttpContext().Request;
        request.Host = new HostString("127.0.0.1:7070");
        if (fetchSite is not null)
        {
            request.Headers["Sec-Fetch-Site"] = fetchSite;
        }

        if (origin is not null)
        {
            request.Headers.Origin = origin;
        }

        Assert.Equal(expected, RequestOrigin.IsSameOrigin(request));
    }

    [Theory]
    [InlineData("/apps/web", "/apps/web")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("/sign-out", "/")]
    [InlineData(null, "/")]
    public void LocalPath_OnlyEverThisSite(string? next, string expected) => Assert.Equal(expected, RequestOrigin.LocalPath(next));
}
