using Slipway.ControlPlane.Runtime.Docker;

namespace Slipway.FunctionalTests.Docker;

/// <summary>
/// Docker tests need a reachable engine and a static busybox to build images <c>FROM scratch</c> (no registry is
/// reachable). Without them the tests skip with the reason, unless <c>SLIPWAY_REQUIRE_DOCKER=1</c> (set by
/// <c>.ci/run</c>), where a skip would hide that CI did not test Docker at all: then they fail.
/// </summary>
internal static class DockerRequirement
{
    public const string BusyboxPath = "/bin/busybox";

    public static async Task RequireAsync()
    {
        string? missing = null;
        using (var engine = DockerEngine.FromEnvironment())
        {
            try
            {
                await engine.PingAsync(CancellationToken.None);
            }
            catch (DockerUnavailableException e)
            {
                missing = $"no Docker engine is reachable ({e.Message})";
            }
        }

        if (missing is null && !File.Exists(BusyboxPath))
        {
            missing = $"no static busybox at {BusyboxPath} to build test images from scratch (apt-get install busybox-static)";
        }

        if (missing is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("SLIPWAY_REQUIRE_DOCKER") == "1")
        {
            throw new InvalidOperationException($"SLIPWAY_REQUIRE_DOCKER=1 but {missing}.");
        }

        Skip.If(true, $"Docker tests need a Docker engine: {missing}.");
    }
}
