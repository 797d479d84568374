using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Spec;

namespace Slipway.ControlPlane.Tests.Spec;

/// <summary>The per-route <c>tls</c>, <c>redirect_http</c> and <c>hsts</c> keys: defaults by host, and mistakes reported with their line and key.</summary>
public sealed class RouteTlsSpecTests
{
    private static AppSpec Parse(string routes) => AppSpecParser.Parse($"app: hello\nrun: {{ command: x }}\nroutes:\n{routes}");

    private static SpecError SingleError(string routes)
    {
        var exception = Assert.Throws<SpecException>(() => Parse(routes));
        return Assert.Single(exception.Errors);
    }

    [Theory]
    [InlineData("hello.example.com", "auto")]
    [InlineData("app.test", "auto")]
    [InlineData("*", "off")]
    [InlineData("localhost", "off")]
    [InlineData("hello.localhost", "off")]
    [InlineData("*.localhost", "off")]
    [InlineData("*.example.com", "files")]
    public void Parse_NoTlsKey_DefaultFollowsTheHost(string host, string expected)
    {
        var route = Assert.Single(Parse($"  - {{ host: '{host}' }}").Routes);
        Assert.Equal(expected, route.Tls);
        Assert.True(route.RedirectHttp);
        Assert.Null(route.HstsMaxAge);
    }

    [Fact]
    public void Parse_TlsKeys_ReachTheEdgeDefinition()
    {
        var spec = Parse("""
              - { host: a.example.com, tls: files, redirect_http: false, hsts: { max_age: 720h, include_subdomains: true } }
              - { host: b.example.com, hsts: true }
            """);
        Assert.Equal("files", spec.Routes[0].Tls);
        var routes = ServiceNames.Definition(spec, "prod").Routes;
        Assert.Equal("files", routes[0].Tls);
        Assert.False(routes[0].RedirectHttp);
        Assert.Equal(30 * 86400, routes[0].HstsMaxAgeSeconds);
        Assert.True(routes[0].HstsIncludeSubdomains);
        Assert.Equal("auto", routes[1].Tls);
        Assert.Equal(365 * 86400, routes[1].HstsMaxAgeSeconds);
        Assert.False(routes[1].HstsIncludeSubdomains);
    }

    [Fact]
    public void Parse_UnknownTlsMode_NamesLineKeyAndChoices()
    {
        var error = SingleError("  - { host: a.example.com, tls: on }");
        Assert.Equal("routes[0].tls", error.Key);
        Assert.Equal(4, error.Line);
        Assert.Contains("`auto`", error.Message, StringComparison.Ordinal);
        Assert.Contains("`files`", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AutoOnAWildcard_SaysToUseFiles()
    {
        var error = SingleError("  - { host: '*.example.com', tls: auto }");
        Assert.Equal("routes[0].tls", error.Key);
        Assert.Contains("slipway certs add", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AutoOnLocalhost_IsRefused()
    {
        var error = SingleError("  - { host: hello.localhost, tls: auto }");
        Assert.Equal("routes[0].tls", error.Key);
    }

    [Fact]
    public void Parse_HstsWithTlsOff_IsRefused()
    {
        var error = SingleError("  - { host: hello.localhost, hsts: true }");
        Assert.Equal("routes[0].hsts", error.Key);
        Assert.Contains("tls: off", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HstsUnknownKey_SuggestsTheRightOne()
    {
        var error = SingleError("  - { host: a.example.com, hsts: { max_agee: 1h } }");
        Assert.Equal("routes[0].hsts.max_agee", error.Key);
        Assert.Contains("max_age", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RedirectHttpNotABoolean_IsRefused()
    {
        var error = SingleError("  - { host: a.example.com, redirect_http: sometimes }");
        Assert.Equal("routes[0].redirect_http", error.Key);
    }

    [Fact]
    public void Parse_SamePlaceWithOtherTls_IsStillADuplicate()
    {
        var error = SingleError("""
              - { host: a.example.com, tls: auto }
              - { host: a.example.com, tls: files }
            """);
        Assert.Contains("duplicates", error.Message, StringComparison.Ordinal);
    }
}
