using System.Collections;
using Slipway.Edge.Supervision;

namespace Slipway.Edge.Tests.Supervision;

public sealed class ChildEnvironmentTests
{
    private static readonly Hashtable Edge = new()
    {
        ["PATH"] = "/usr/bin",
        ["HOME"] = "/home/slipway",
        ["LANG"] = "C.UTF-8",
        ["LC_TIME"] = "en_GB.UTF-8",
        ["DOTNET_ROOT"] = "/opt/dotnet",
        ["SLIPWAY_MASTER_KEY"] = "k",
        ["SLIPWAY_TOKEN"] = "t",
        ["AWS_SECRET_ACCESS_KEY"] = "a",
        ["DOCKER_HOST"] = "unix:///run/docker.sock",
    };

    [Fact]
    public void Base_ForAnApp_KeepsOnlyTheAllowList()
    {
        var result = ChildEnvironment.Base(slipwayOwn: false, Edge);

        Assert.Equal(["DOTNET_ROOT", "HOME", "LANG", "LC_TIME", "PATH"], result.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Base_ForSlipwaysOwnControlPlane_AlsoKeepsItsConfiguration()
    {
        var result = ChildEnvironment.Base(slipwayOwn: true, Edge);

        Assert.Equal("k", result["SLIPWAY_MASTER_KEY"]);
        Assert.Equal("unix:///run/docker.sock", result["DOCKER_HOST"]);
        Assert.False(result.ContainsKey("AWS_SECRET_ACCESS_KEY"));
    }
}
