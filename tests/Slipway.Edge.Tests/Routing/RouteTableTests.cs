using Slipway.Edge.Routing;

namespace Slipway.Edge.Tests.Routing;

public sealed class RouteTableTests
{
    private static RouteTable Table(params (string Host, string Path, string Service)[] routes) =>
        new(routes.Select(r => RouteEntry.Create(r.Host, r.Path, r.Service)));

    [Fact]
    public void Match_ExactHost_BeatsWildcardAndAny()
    {
        var table = Table(("*", "/", "any"), ("*.example.com", "/", "wild"), ("app.example.com", "/", "exact"));

        Assert.Equal("exact", table.Match("app.example.com", "/"));
        Assert.Equal("exact", table.Match("APP.Example.com:8080", "/x"));
        Assert.Equal("wild", table.Match("other.example.com", "/"));
        Assert.Equal("wild", table.Match("a.b.example.com", "/"));
        Assert.Equal("any", table.Match("example.com", "/"));
        Assert.Equal("any", table.Match("elsewhere.org", "/"));
    }

    [Fact]
    public void Match_LongerWildcard_BeatsShorterWildcard()
    {
        var table = Table(("*.example.com", "/", "short"), ("*.eu.example.com", "/", "long"));

        Assert.Equal("long", table.Match("shop.eu.example.com", "/"));
        Assert.Equal("short", table.Match("shop.us.example.com", "/"));
    }

    [Fact]
    public void Match_LongestPathPrefix_Wins()
    {
        var table = Table(("*", "/", "root"), ("*", "/api", "api"), ("*", "/api/v2/", "v2"));

        Assert.Equal("root", table.Match("h", "/"));
        Assert.Equal("api", table.Match("h", "/api"));
        Assert.Equal("api", table.Match("h", "/api/v1/users"));
        Assert.Equal("v2", table.Match("h", "/api/v2"));
        Assert.Equal("v2", table.Match("h", "/api/v2/users"));
    }

    [Fact]
    public void Match_PrefixOnSegmentBoundaryOnly()
    {
        var table = Table(("*", "/api", "api"));

        Assert.Equal("api", table.Match("h", "/api/"));
        Assert.Null(table.Match("h", "/apix"));
        Assert.Null(table.Match("h", "/ap"));
        Assert.Null(table.Match("h", "/"));
    }

    [Fact]
    public void Match_MoreSpecificHostWithoutMatchingPath_FallsBackToLessSpecificHost()
    {
        var table = Table(("app.example.com", "/admin", "admin"), ("*", "/", "web"));

        Assert.Equal("admin", table.Match("app.example.com", "/admin/users"));
        Assert.Equal("web", table.Match("app.example.com", "/home"));
    }

    [Theory]
    [InlineData("/api")]
    [InlineData("/API/x")]
    [InlineData("/Api/")]
    [InlineData("//api/x")]
    [InlineData("/api//x")]
    [InlineData("///api")]
    public void Match_PathInAnotherCaseOrWithRepeatedSlashes_RoutesLikeItsNormalForm(string path)
    {
        var table = Table(("*", "/", "root"), ("*", "/api", "api"));

        Assert.Equal("api", table.Match("h", path));
    }

    [Fact]
    public void Match_PrefixWrittenWithRepeatedSlashes_IsHeldNormalised()
    {
        var table = Table(("*", "//api//v2/", "v2"), ("*", "/", "root"));

        Assert.Equal("/api/v2", table.Entries[0].PathPrefix);
        Assert.Equal("v2", table.Match("h", "/API/V2/users"));
        Assert.Equal("root", table.Match("h", "/apiv2"));
    }

    [Fact]
    public void NormalizePath_LeavesOrdinaryPathsUnchanged()
    {
        Assert.Equal("/", RouteTable.NormalizePath(""));
        Assert.Equal("/a%2Fb/C", RouteTable.NormalizePath("/a%2Fb/C"));
        Assert.Equal("/a/b/", RouteTable.NormalizePath("//a///b//"));
    }

    [Fact]
    public void Match_NothingRouted_ReturnsNull()
    {
        Assert.Null(RouteTable.Empty.Match("h", "/"));
        Assert.Null(Table(("app.example.com", "/", "a")).Match("[::1]:80", "/"));
    }
}
