using System.Diagnostics;
using Slipway.ControlPlane.IO;

namespace Slipway.ControlPlane.Tests.IO;

public sealed class TreeContainmentTests
{
    [Fact]
    public void FindEscape_LinkThroughALinkThatClimbsOut_NamesTheLink()
    {
        using var tree = new ScratchDirectory();
        tree.Write("app/content.txt", "x");
        Directory.CreateDirectory(tree.Combine("app", "deep"));
        File.CreateSymbolicLink(tree.Combine("app", "deep", "up"), "..");
        // Lexically app/deep/up/.. is app/deep; followed, deep/up is app and its parent is outside.
        File.CreateSymbolicLink(tree.Combine("app", "leak"), "deep/up/..");

        var escape = TreeContainment.FindEscape(tree.Combine("app"));

        Assert.NotNull(escape);
        Assert.Equal("leak", escape.Value.Path);
        Assert.Contains("leaves the tree", escape.Value.Reason);
    }

    [Theory]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("../outside", "leaves the tree")]
    [InlineData("loop", "a loop")]
    public void FindEscape_EscapingOrLoopingLink_IsRefused(string target, string reason)
    {
        using var tree = new ScratchDirectory();
        File.CreateSymbolicLink(tree.Combine("loop"), "loop");
        File.CreateSymbolicLink(tree.Combine("bad"), target);

        var escape = TreeContainment.FindEscape(tree.Path);

        Assert.NotNull(escape);
        Assert.Contains(reason, escape.Value.Reason);
    }

    [Fact]
    public void FindEscape_LinksThatStayInsideOrDangle_AreAccepted()
    {
        using var tree = new ScratchDirectory();
        tree.Write("lib/real.txt", "x");
        Directory.CreateDirectory(tree.Combine("deep", "er"));
        File.CreateSymbolicLink(tree.Combine("deep", "er", "root"), "../..");
        File.CreateSymbolicLink(tree.Combine("alias"), "deep/er/root/lib/real.txt");
        File.CreateSymbolicLink(tree.Combine("dangling"), "missing/file");

        Assert.Null(TreeContainment.FindEscape(tree.Path));
    }

    [Fact]
    public async Task FindEscape_Fifo_IsRefusedByName()
    {
        using var tree = new ScratchDirectory();
        Directory.CreateDirectory(tree.Combine("run"));
        using (var mkfifo = Process.Start("mkfifo", [tree.Combine("run", "pipe")]))
        {
            await mkfifo.WaitForExitAsync();
        }

        var escape = TreeContainment.FindEscape(tree.Path);

        Assert.NotNull(escape);
        Assert.Equal("run/pipe", escape.Value.Path);
        Assert.Contains("FIFO", escape.Value.Reason);
    }
}
