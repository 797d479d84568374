using Slipway.ControlPlane.IO;
using Slipway.ControlPlane.Pipeline.Release;
using Slipway.ControlPlane.Tests.IO;

namespace Slipway.ControlPlane.Tests.Pipeline.Release;

public sealed class ReleaseDigestTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Compute_AnyTree_HasTheSha256Format()
    {
        var root = MakeTree("a");

        Assert.Matches("^sha256:[0-9a-f]{64}$", ReleaseDigest.Compute(root));
    }

    [Fact]
    public void Compute_IdenticalTreesInDifferentPlaces_AreEqual()
    {
        Assert.Equal(ReleaseDigest.Compute(MakeTree("a")), ReleaseDigest.Compute(MakeTree("b")));
    }

    [Fact]
    public void Compute_OneByteChanged_Differs()
    {
        var root = MakeTree("a");
        var before = ReleaseDigest.Compute(root);

        File.WriteAllText(Path.Combine(root, "lib", "data.txt"), "payloaD");

        Assert.NotEqual(before, ReleaseDigest.Compute(root));
    }

    [Fact]
    public void Compute_ExecutableBitChanged_Differs()
    {
        var root = MakeTree("a");
        var before = ReleaseDigest.Compute(root);

        var path = Path.Combine(root, "lib", "data.txt");
        UnixPermissions.Set(path, UnixPermissions.Get(path) | UnixFileMode.UserExecute);

        Assert.NotEqual(before, ReleaseDigest.Compute(root));
    }

    [Fact]
    public void Compute_WriteBitsRemoved_IsUnchanged()
    {
        var root = MakeTree("a");
        var before = ReleaseDigest.Compute(root);

        FileTree.MakeReadOnly(root);

        Assert.Equal(before, ReleaseDigest.Compute(root));
    }

    [Fact]
    public void Compute_SymlinkTargetChanged_Differs()
    {
        var root = MakeTree("a");
        var before = ReleaseDigest.Compute(root);

        File.Delete(Path.Combine(root, "current"));
        File.CreateSymbolicLink(Path.Combine(root, "current"), "run.sh");

        Assert.NotEqual(before, ReleaseDigest.Compute(root));
    }

    [Fact]
    public void Compute_ContentMovedBetweenPathAndFile_Differs()
    {
        // The length prefixes keep "ab" + "c" apart from "a" + "bc".
        var one = _dir.Combine("one");
        var two = _dir.Combine("two");
        _dir.Write("one/ab", "c");
        _dir.Write("two/a", "bc");

        Assert.NotEqual(ReleaseDigest.Compute(one), ReleaseDigest.Compute(two));
    }

    [Fact]
    public void Compute_FileRenamed_Differs()
    {
        var root = MakeTree("a");
        var before = ReleaseDigest.Compute(root);

        File.Move(Path.Combine(root, "lib", "data.txt"), Path.Combine(root, "lib", "data2.txt"));

        Assert.NotEqual(before, ReleaseDigest.Compute(root));
    }

    [Fact]
    public void Compute_ExcludedPath_IsIgnored()
    {
        var root = MakeTree("a");
        var before = ReleaseDigest.Compute(root);

        _dir.Write("a/release.json", "{}");

        Assert.Equal(before, ReleaseDigest.Compute(root, new HashSet<string> { "release.json" }));
        Assert.NotEqual(before, ReleaseDigest.Compute(root));
    }

    [Fact]
    public void Verify_UntouchedTree_IsTrueAndTamperedTreeIsFalse()
    {
        var root = MakeTree("a");
        var manifest = new ReleaseManifest
        {
            App = "hello",
            Release = "r",
            Revision = "local-x",
            Digest = ReleaseDigest.Compute(root),
            BuiltAt = DateTimeOffset.UnixEpoch,
        };
        _dir.Write("a/release.json", manifest.ToJson());

        Assert.True(ReleaseDigest.Verify(root, manifest));

        File.AppendAllText(Path.Combine(root, "run.sh"), "# tampered");
        Assert.False(ReleaseDigest.Verify(root, manifest));
    }

    private string MakeTree(string name)
    {
        _dir.Write($"{name}/run.sh", "#!/bin/sh\n", (UnixFileMode)0b111_101_101);
        _dir.Write($"{name}/lib/data.txt", "payload");
        File.CreateSymbolicLink(_dir.Combine(name, "current"), "lib/data.txt");
        return _dir.Combine(name);
    }
}
