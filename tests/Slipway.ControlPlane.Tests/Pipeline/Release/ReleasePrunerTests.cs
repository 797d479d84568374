using Slipway.ControlPlane.IO;
using Slipway.ControlPlane.Pipeline.Release;
using Slipway.ControlPlane.Tests.IO;

namespace Slipway.ControlPlane.Tests.Pipeline.Release;

public sealed class ReleasePrunerTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();
    private readonly ReleaseWriter _layout;
    private readonly ReleasePruner _pruner;

    public ReleasePrunerTests()
    {
        _layout = new ReleaseWriter(_dir.Combine("releases"), TimeProvider.System);
        _pruner = new ReleasePruner(_layout);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Prune_ReleasesNotKept_AreDeletedEvenThoughReadOnly()
    {
        foreach (var id in (string[])["r1", "r2", "r3", "r4"])
        {
            var path = _dir.Write($"releases/hello/{id}/out/app.dll", id);
            FileTree.MakeReadOnly(_layout.ReleaseDirectory("hello", id));
            Assert.True(File.Exists(path));
        }

        var removed = _pruner.Prune("hello", new HashSet<string> { "r3", "r4" });

        Assert.Equal(["r1", "r2"], removed);
        Assert.Equal(["r3", "r4"], Directory.GetDirectories(_layout.AppDirectory("hello")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Prune_WorkspacesInUse_AreLeftAlone()
    {
        var workspace = _layout.CreateWorkspace("hello", "d9");
        _dir.Write("releases/hello/.trash-r0-x/file", "half deleted");

        var removed = _pruner.Prune("hello", new HashSet<string>());

        Assert.Empty(removed);
        Assert.True(Directory.Exists(workspace));
        Assert.False(Directory.Exists(_dir.Combine("releases", "hello", ".trash-r0-x")));
    }

    [Fact]
    public void Prune_UnknownApp_RemovesNothing()
    {
        Assert.Empty(_pruner.Prune("nobody", new HashSet<string>()));
    }
}
