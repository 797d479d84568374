using Slipway.Edge.Persistence;

namespace Slipway.ControlPlane.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriteAllText_NewFile_WritesContentAndLeavesNoTemporaryFile()
    {
        var path = _dir.Combine("state.json");

        AtomicFile.WriteAllText(path, "{\"a\":1}");

        Assert.Equal("{\"a\":1}", File.ReadAllText(path));
        Assert.Equal(["state.json"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteAllText_WithMode_FileHasThatModeFromTheStart()
    {
        var path = _dir.Combine("admin.token");

        AtomicFile.WriteAllText(path, "secret", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void WriteAllBytes_ExistingFile_ReplacesItsContent()
    {
        var path = _dir.Write("data.bin", "old content that is longer");

        AtomicFile.WriteAllBytes(path, [1, 2, 3]);

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void WriteAllText_MissingParentDirectory_CreatesIt()
    {
        var path = _dir.Combine("a", "b", "c.txt");

        AtomicFile.WriteAllText(path, "x");

        Assert.Equal("x", File.ReadAllText(path));
    }
}
