using Slipway.ControlPlane.IO;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Pipeline.Release;
using Slipway.ControlPlane.Pipeline.Source;
using Slipway.ControlPlane.Tests.IO;

namespace Slipway.ControlPlane.Tests.Pipeline.Release;

public sealed class ReleaseWriterTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 4, 30, 0, TimeSpan.Zero);
    private static readonly SourceResult Source = new("abc123", Dirty: false, Ref: "main", SourceKind.LocalGit);

    private readonly ScratchDirectory _dir = new();
    private readonly ReleaseWriter _writer;
    private readonly DeployLog _log;

    public ReleaseWriterTests()
    {
        _writer = new ReleaseWriter(_dir.Combine("releases"), new FixedTimeProvider(Now));
        _log = new DeployLog(_dir.Combine("deploy.log"));
    }

    public void Dispose()
    {
        _log.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Publish_BuiltWorkspace_BecomesAReadOnlyReleaseWithAVerifiableManifest()
    {
        var workspace = BuiltWorkspace("d1");
        GateResult[] gates = [new("publish", 0, 42)];

        var manifest = _writer.Publish("hello", workspace, Source, gates, _log);

        var release = _writer.ReleaseDirectory("hello", manifest.Release);
        Assert.Equal(_dir.Combine("releases", "hello", manifest.Release), release);
        Assert.Matches("^20261122-043000-[0-9a-f]{8}$", manifest.Release);
        Assert.Equal(ReleaseDigest.Hex(manifest.Digest)[..8], manifest.Release[^8..]);
        Assert.False(Directory.Exists(workspace));
        Assert.Equal("built output", File.ReadAllText(Path.Combine(release, "out", "app.dll")));

        var onDisk = ReleaseManifest.Read(release);
        Assert.Equal(manifest.Digest, onDisk.Digest);
        Assert.Equal("abc123", onDisk.Revision);
        Assert.Equal("main", onDisk.Ref);
        Assert.Equal(Now, onDisk.BuiltAt);
        Assert.Equal(gates, onDisk.Gates);
        Assert.True(ReleaseDigest.Verify(release, onDisk));

        Assert.All(
            FileTree.Walk(release).Where(e => e.Kind != TreeEntryKind.Symlink).Select(e => e.FullPath).Append(release),
            path => Assert.Equal(0, (int)(UnixPermissions.Get(path) & UnixPermissions.WriteBits)));
    }

    [Fact]
    public void Publish_DigestCoversBuildOutputsButNotTheManifest()
    {
        var workspace = BuiltWorkspace("d1");
        var expected = ReleaseDigest.Compute(workspace);

        var manifest = _writer.Publish("hello", workspace, Source, [], _log);

        Assert.Equal(expected, manifest.Digest);
    }

    [Fact]
    public void Publish_SameContentInTheSameSecond_ReusesTheExistingRelease()
    {
        var first = _writer.Publish("hello", BuiltWorkspace("d1"), Source, [], _log);
        var secondWorkspace = BuiltWorkspace("d2");

        var second = _writer.Publish("hello", secondWorkspace, Source, [], _log);

        Assert.Equal(first.Release, second.Release);
        Assert.False(Directory.Exists(secondWorkspace));
    }

    [Fact]
    public void CreateWorkspace_StaleWorkspace_IsReplacedByAnEmptyOne()
    {
        var stale = _writer.CreateWorkspace("hello", "d1");
        File.WriteAllText(Path.Combine(stale, "left-over"), "x");

        var workspace = _writer.CreateWorkspace("hello", "d1");

        Assert.Equal(_dir.Combine("releases", "hello", ".work-d1"), workspace);
        Assert.Empty(Directory.EnumerateFileSystemEntries(workspace));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b")]
    public void AppDirectory_UnsafeAppName_Throws(string app)
    {
        Assert.Throws<ArgumentException>(() => _writer.AppDirectory(app));
    }

    private string BuiltWorkspace(string deploymentId)
    {
        var workspace = _writer.CreateWorkspace("hello", deploymentId);
        File.WriteAllText(Path.Combine(workspace, "slipway.yml"), "app: hello\n");
        Directory.CreateDirectory(Path.Combine(workspace, "out"));
        File.WriteAllText(Path.Combine(workspace, "out", "app.dll"), "built output");
        File.CreateSymbolicLink(Path.Combine(workspace, "app"), "out/app.dll");
        return workspace;
    }
}
