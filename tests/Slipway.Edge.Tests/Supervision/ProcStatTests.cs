using Slipway.Edge.Supervision;

namespace Slipway.Edge.Tests.Supervision;

public sealed class ProcStatTests
{
    [Fact]
    public void Parse_CommandNameWithSpacesAndParentheses_ReadsFieldsAfterIt()
    {
        const string line = "4242 (my (odd) app) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615";

        var stat = ProcStat.Parse(4242, line)!;

        Assert.Equal('S', stat.State);
        Assert.Equal(4242, stat.ProcessGroup);
        Assert.Equal(4242, stat.Session);
        Assert.Equal(987654, stat.StartTicks);
    }

    [Fact]
    public void Read_OwnProcess_MatchesItsPid()
    {
        var stat = ProcStat.Read(Environment.ProcessId);

        Assert.NotNull(stat);
        Assert.False(stat.IsZombie);
        Assert.True(stat.StartTicks > 0);
    }
}
