using Slipway.Cli;

namespace Slipway.FunctionalTests.Cli;

public sealed class LogTailTests
{
    [Fact]
    public void NewLines_WindowSlidForward_ReturnsOnlyAddedLines()
    {
        var added = LogTail.NewLines(["a", "b", "c"], ["b", "c", "d", "e"]);

        Assert.Equal(["d", "e"], added);
    }

    [Fact]
    public void NewLines_NothingNew_ReturnsNothing()
    {
        Assert.Empty(LogTail.NewLines(["a", "b"], ["a", "b"]));
    }

    [Fact]
    public void NewLines_NoOverlap_ReturnsEverything()
    {
        Assert.Equal(["x", "y"], LogTail.NewLines(["a", "b"], ["x", "y"]));
    }

    [Fact]
    public void Split_TrailingNewline_NoEmptyLastLine()
    {
        Assert.Equal(["one", "two"], LogTail.Split("one\r\ntwo\n"));
    }
}
