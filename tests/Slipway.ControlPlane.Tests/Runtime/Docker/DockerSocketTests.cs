using Slipway.ControlPlane.Runtime.Docker;

namespace Slipway.ControlPlane.Tests.Runtime.Docker;

public sealed class DockerSocketTests
{
    [Theory]
    [InlineData(null, "/var/run/docker.sock")]
    [InlineData("", "/var/run/docker.sock")]
    [InlineData("unix:///run/user/1000/docker.sock", "/run/user/1000/docker.sock")]
    public void Resolve_UnixOrUnset_SocketPath(string? dockerHost, string expected) =>
        Assert.Equal(expected, DockerSocket.Resolve(dockerHost));

    [Fact]
    public void Resolve_Tcp_RefusedSayingWhatToSet()
    {
        var e = Assert.Throws<DockerUnavailableException>(() => DockerSocket.Resolve("tcp://10.0.0.5:2375"));

        Assert.Contains("DOCKER_HOST=unix:///var/run/docker.sock", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_NoSocket_ErrorSaysStartDockerOrSetDockerHost()
    {
        using var engine = new DockerEngine($"/tmp/slipway-no-docker-{Guid.NewGuid():N}.sock");

        var e = await Assert.ThrowsAsync<DockerUnavailableException>(() => engine.PingAsync(CancellationToken.None));

        Assert.Contains("no Docker engine socket at /tmp/slipway-no-docker-", e.Message, StringComparison.Ordinal);
        Assert.Contains("DOCKER_HOST=unix://", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_StaleSocketPath_ErrorSaysEngineDoesNotAnswer()
    {
        var path = Path.Combine(Path.GetTempPath(), $"slipway-stale-{Guid.NewGuid():N}.sock");
        // What a crashed engine leaves behind: the path exists, nothing accepts connections on it.
        File.WriteAllText(path, "");

        try
        {
            using var engine = new DockerEngine(path);

            var e = await Assert.ThrowsAsync<DockerUnavailableException>(() => engine.PingAsync(CancellationToken.None));

            Assert.Contains($"does not answer on {path}", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
