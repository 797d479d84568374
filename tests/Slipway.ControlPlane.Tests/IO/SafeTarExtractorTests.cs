using System.Formats.Tar;
using Slipway.ControlPlane.IO;

namespace Slipway.ControlPlane.Tests.IO;

public sealed class SafeTarExtractorTests
{
    [Fact]
    public void Extract_FileWrittenThroughALinkItPlanted_IsRefusedAndNothingIsWrittenOutside()
    {
        using var scratch = new ScratchDirectory();
        var outside = Directory.CreateDirectory(scratch.Combine("outside")).FullName;
        var archive = Archive(
            Link("a", outside),
            File("a/planted.txt", "owned"));

        var error = Assert.Throws<InvalidDataException>(() => SafeTarExtractor.Extract(archive, scratch.Combine("tree")));

        Assert.Contains("'a/planted.txt'", error.Message);
        Assert.False(System.IO.File.Exists(Path.Combine(outside, "planted.txt")));
    }

    [Theory]
    [InlineData("../up.txt")]
    [InlineData("/abs.txt")]
    public void Extract_EntryNameLeavingTheTarget_IsRefused(string name)
    {
        using var scratch = new ScratchDirectory();

        var error = Assert.Throws<InvalidDataException>(() => SafeTarExtractor.Extract(Archive(File(name, "x")), scratch.Combine("tree")));

        Assert.Contains(name, error.Message);
    }

    [Fact]
    public void Extract_FifoEntry_IsRefused()
    {
        using var scratch = new ScratchDirectory();
        var fifo = new PaxTarEntry(TarEntryType.Fifo, "pipe");

        var error = Assert.Throws<InvalidDataException>(() => SafeTarExtractor.Extract(Archive(fifo), scratch.Combine("tree")));

        Assert.Contains("'pipe'", error.Message);
    }

    [Fact]
    public void Extract_FilesDirectoriesAndLinks_AreWrittenWithTheirModes()
    {
        using var scratch = new ScratchDirectory();
        var tree = scratch.Combine("tree");
        var script = File("bin/run.sh", "#!/bin/sh\n");
        script.Mode = (UnixFileMode)0b111_101_101;

        SafeTarExtractor.Extract(Archive(new PaxTarEntry(TarEntryType.Directory, "bin/"), script, Link("run", "bin/run.sh")), tree);

        Assert.Equal("#!/bin/sh\n", System.IO.File.ReadAllText(Path.Combine(tree, "bin", "run.sh")));
        Assert.True(UnixPermissions.Get(Path.Combine(tree, "bin", "run.sh")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal("bin/run.sh", new FileInfo(Path.Combine(tree, "run")).LinkTarget);
    }

    private static PaxTarEntry File(string name, string content) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)), Mode = (UnixFileMode)0b110_100_100 };

    private static PaxTarEntry Link(string name, string target) => new(TarEntryType.SymbolicLink, name) { LinkName = target };

    private static MemoryStream Archive(params PaxTarEntry[] entries)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        stream.Position = 0;
        return stream;
    }
}
