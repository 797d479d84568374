using System.Text;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Tests.IO;

namespace Slipway.ControlPlane.Tests.Pipeline;

public sealed class DeployLogTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ForDeployment_Append_WritesLinesToTheDeploymentFileAndRaisesEachLine()
    {
        var raised = new List<string>();
        using var log = DeployLog.ForDeployment(_dir.Combine("logs"), "d-42", onLine: raised.Add);

        log.Append("first");
        log.Append("second\nthird\n");

        Assert.Equal(_dir.Combine("logs", "deployments", "d-42.log"), log.Path);
        Assert.Equal("first\nsecond\nthird\n", File.ReadAllText(log.Path));
        Assert.Equal(["first", "second", "third"], raised);
    }

    [Fact]
    public void Append_EachLine_IsOnDiskBeforeTheCallbackSeesIt()
    {
        string? onDiskAtCallback = null;
        var path = _dir.Combine("d.log");
        using var log = new DeployLog(path, onLine: _ => onDiskAtCallback = DeployLog.ReadTail(path));

        log.Append("hello");

        Assert.Equal("hello\n", onDiskAtCallback);
    }

    [Fact]
    public void Tail_LogLargerThanLimit_ReturnsAtMostLimitStartingAtALineBoundary()
    {
        using var log = new DeployLog(_dir.Combine("d.log"));
        for (var i = 0; i < 2000; i++)
        {
            log.Append($"line {i} é");
        }

        var tail = log.Tail(8 * 1024);

        Assert.True(Encoding.UTF8.GetByteCount(tail) <= 8 * 1024);
        Assert.True(Encoding.UTF8.GetByteCount(tail) > 8 * 1024 - 20);
        Assert.StartsWith("line ", tail);
        Assert.EndsWith("line 1999 é\n", tail);
        Assert.EndsWith(tail, File.ReadAllText(log.Path));
    }

    [Fact]
    public void Tail_WindowStartsExactlyAtALine_KeepsThatLine()
    {
        using var log = new DeployLog(_dir.Combine("d.log"));
        log.Append("aaaa");
        log.Append("bbbb");

        Assert.Equal("bbbb\n", log.Tail(5));
        Assert.Equal("bbbb\n", log.Tail(9));
        Assert.Equal("aaaa\nbbbb\n", log.Tail(10));
    }

    [Fact]
    public void Tail_LogSmallerThanLimit_ReturnsTheWholeLog()
    {
        using var log = new DeployLog(_dir.Combine("d.log"));
        log.Append("only line");

        Assert.Equal("only line\n", log.Tail());
    }

    [Fact]
    public void LastLines_MoreLinesThanAsked_ReturnsTheNewestOldestFirst()
    {
        using var log = new DeployLog(_dir.Combine("d.log"));
        for (var i = 1; i <= 5; i++)
        {
            log.Append($"l{i}");
        }

        Assert.Equal(["l4", "l5"], log.LastLines(2));
        Assert.Equal(5, log.LastLines(100).Count);
    }

    [Fact]
    public void Append_LineContainingASecret_IsRedactedInFileCallbackAndLastLines()
    {
        var raised = new List<string>();
        using var log = new DeployLog(
            _dir.Combine("d.log"), new Redactor(["s3cr3t", "t0k"]), raised.Add);

        log.Append("password=s3cr3t token=t0k");

        const string Expected = "password=*** token=***";
        Assert.Equal(Expected + "\n", File.ReadAllText(log.Path));
        Assert.Equal([Expected], raised);
        Assert.Equal([Expected], log.LastLines(1));
        Assert.DoesNotContain("s3cr3t", log.Tail());
    }
}
