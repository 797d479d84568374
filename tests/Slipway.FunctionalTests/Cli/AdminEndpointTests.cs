using Slipway.Client;

namespace Slipway.FunctionalTests.Cli;

public sealed class AdminEndpointTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("slipway-endpoint-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void Resolve_NothingSet_UsesDefaultUrlAndNoToken()
    {
        var endpoint = AdminEndpoint.Resolve(null, _home, _ => null);

        Assert.Equal(new Uri("http://127.0.0.1:7070/"), endpoint.BaseUrl);
        Assert.Null(endpoint.Token);
    }

    [Fact]
    public void Resolve_TokenFileInHome_ReadsTrimmedToken()
    {
        File.WriteAllText(Path.Combine(_home, "admin.token"), "secret-from-file\n");

        var endpoint = AdminEndpoint.Resolve(null, null, name => name == "SLIPWAY_HOME" ? _home : null);

        Assert.Equal("secret-from-file", endpoint.Token);
        Assert.Equal(Path.Combine(_home, "admin.token"), endpoint.TokenSource);
    }

    [Fact]
    public void Resolve_EnvironmentTokenAndUrl_WinOverFileAndDefault()
    {
        File.WriteAllText(Path.Combine(_home, "admin.token"), "from-file");
        var env = new Dictionary<string, string> { ["SLIPWAY_TOKEN"] = "from-env", ["SLIPWAY_URL"] = "http://10.0.0.5:9000/slipway" };

        var endpoint = AdminEndpoint.Resolve(null, _home, name => env.GetValueOrDefault(name));

        Assert.Equal("from-env", endpoint.Token);
        Assert.Equal(new Uri("http://10.0.0.5:9000/slipway/"), endpoint.BaseUrl);
    }

    [Fact]
    public void Resolve_UrlOptionNotHttp_ThrowsConfigurationError()
    {
        var ex = Assert.Throws<CliConfigurationException>(() => AdminEndpoint.Resolve("ftp://x", _home, _ => null));

        Assert.Contains("SLIPWAY_URL", ex.Message);
    }
}
