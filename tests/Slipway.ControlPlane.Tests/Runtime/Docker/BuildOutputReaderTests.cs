using System.Text;
using Slipway.ControlPlane.Runtime.Docker;

namespace Slipway.ControlPlane.Tests.Runtime.Docker;

public sealed class BuildOutputReaderTests
{
    [Fact]
    public async Task Read_SuccessfulBuild_ImageIdFromAuxAndOutputLinesLogged()
    {
        var lines = new List<string>();
        using var stream = Stream(
            """{"stream":"Step 1/2 : FROM scratch\n"}""",
            """{"stream":"Step 2/2 : COPY busybox /bin/"}""",
            """{"stream":"busybox\n ---\u003e 1a2b3c\n"}""",
            """{"aux":{"ID":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}""",
            """{"stream":"Successfully built 0123456789ab\n"}""");

        var id = await BuildOutputReader.ReadAsync(stream, lines.Add, CancellationToken.None);

        Assert.Equal("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", id);
        Assert.Equal(["Step 1/2 : FROM scratch", "Step 2/2 : COPY busybox /bin/busybox", " ---> 1a2b3c", "Successfully built 0123456789ab"], lines);
    }

    [Fact]
    public async Task Read_FailedStep_ThrowsWithEngineMessageAndLastLines()
    {
        using var stream = Stream(
            """{"stream":"Step 1/2 : FROM scratch\n"}""",
            """{"stream":"Step 2/2 : COPY missing /x\n"}""",
            """{"errorDetail":{"message":"COPY failed: file not found in build context"},"error":"COPY failed: file not found in build context"}""");

        var e = await Assert.ThrowsAsync<DockerBuildException>(() => BuildOutputReader.ReadAsync(stream, _ => { }, CancellationToken.None));

        Assert.Equal("COPY failed: file not found in build context", e.Message);
        Assert.Equal("Step 2/2 : COPY missing /x", e.LastLines[^1]);
    }

    [Fact]
    public async Task Read_StreamEndsWithoutImageId_Throws()
    {
        using var stream = Stream("""{"stream":"Step 1/1 : FROM scratch\n"}""");

        var e = await Assert.ThrowsAsync<DockerBuildException>(() => BuildOutputReader.ReadAsync(stream, _ => { }, CancellationToken.None));

        Assert.Contains("without reporting an image id", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_NonJsonLine_LoggedNotFatal()
    {
        var lines = new List<string>();
        using var stream = Stream("not json at all", """{"aux":{"ID":"sha256:abc"}}""");

        Assert.Equal("sha256:abc", await BuildOutputReader.ReadAsync(stream, lines.Add, CancellationToken.None));
        Assert.Equal(["not json at all"], lines);
    }

    private static MemoryStream Stream(params string[] messages) => new(Encoding.UTF8.GetBytes(string.Join("\r\n", messages) + "\r\n"));
}
