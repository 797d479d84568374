using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Store;
using Slipway.ControlPlane.Tests.Store;
using Slipway.Edge.Control;

namespace Slipway.ControlPlane.Tests.Runtime;

/// <summary>Nothing here calls the edge or the engine: choosing a runtime is pure.</summary>
public sealed class AppRuntimesTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SlipwayStore _store;
    private readonly DockerEngine _engine;
    private readonly EdgeGateway _edge;
    private readonly AppRuntimes _runtimes;

    public AppRuntimesTests()
    {
        _store = SlipwayStore.Open(_dir.File("slipway.db"));
        _engine = new DockerEngine(_dir.File("docker.sock"));
        _edge = new EdgeGateway(new EdgeControlClient(_dir.File("edge.sock")));
        _runtimes = new AppRuntimes(new ProcessRuntime(_edge, _store), new DockerRuntime(_engine, "owner", _store));
    }

    [Fact]
    public void For_EachKind_ReturnsTheRuntimeOfThatKind()
    {
        Assert.IsType<ProcessRuntime>(_runtimes.For(RuntimeKind.Process));
        Assert.IsType<DockerRuntime>(_runtimes.For(RuntimeKind.Docker));
    }

    [Fact]
    public void ForInstance_ContainerId_ReturnsTheDockerRuntime() =>
        Assert.IsType<DockerRuntime>(_runtimes.ForInstance(new string('a', 64)));

    [Theory]
    [InlineData("hello-prod-g7")]
    [InlineData("slipway")]
    [InlineData("AB12")]
    public void ForInstance_AnyOtherId_ReturnsTheProcessRuntime(string id) =>
        Assert.IsType<ProcessRuntime>(_runtimes.ForInstance(id));

    [Fact]
    public void For_KindNotConfigured_SaysSo()
    {
        var dockerOnly = new AppRuntimes(new DockerRuntime(_engine, "owner", _store));

        var e = Assert.Throws<InvalidOperationException>(() => dockerOnly.For(RuntimeKind.Process));

        Assert.Contains("no process runtime", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _store.Dispose();
        _engine.Dispose();
        _edge.Dispose();
        _dir.Dispose();
    }
}
