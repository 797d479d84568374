using Slipway.ControlPlane.Spec;

namespace Slipway.ControlPlane.Tests.Spec;

public sealed class RolloutSpecParserTests
{
    private const string Base = """
        app: hello
        run: { command: dotnet out/Hello.dll }

        """;

    private static SpecError SingleError(string yaml) =>
        Assert.Single(Assert.Throws<SpecException>(() => AppSpecParser.Parse(Base + yaml, "slipway.yml")).Errors);

    [Fact]
    public void Parse_NoRollout_IsAFullSwap() => Assert.Null(AppSpecParser.Parse(Base).Rollout);

    [Fact]
    public void Parse_FullRollout_ReadsEveryField()
    {
        var rollout = AppSpecParser.Parse(Base + """
            rollout:
              steps: [5%, 25%, 50]
              pause: 2m
              analysis: { min_requests: 200, max_wait: 30s, inconclusive: pause, max_error_rate: 0.5%, max_error_ratio: 1.5, max_latency_ratio: 3, latency_margin: 10ms }
            """).Rollout!;

        Assert.Equal([5, 25, 50], rollout.Steps);
        Assert.Equal(TimeSpan.FromMinutes(2), rollout.Pause);
        Assert.Equal(200, rollout.Analysis.MinRequests);
        Assert.Equal(TimeSpan.FromSeconds(30), rollout.Analysis.MaxWait);
        Assert.Equal("pause", rollout.Analysis.Inconclusive);
        Assert.Equal(0.005, rollout.Analysis.MaxErrorRate, 6);
        Assert.Equal(1.5, rollout.Analysis.MaxErrorRatio);
        Assert.Equal(3, rollout.Analysis.MaxLatencyRatio);
        Assert.Equal(TimeSpan.FromMilliseconds(10), rollout.Analysis.LatencyMargin);
    }

    [Fact]
    public void Parse_StepsOnly_TakesTheDefaults()
    {
        var rollout = AppSpecParser.Parse(Base + "rollout: { steps: [10%] }").Rollout!;

        Assert.Equal([10], rollout.Steps);
        Assert.Equal(new AnalysisSpec(), rollout.Analysis);
        Assert.Equal(TimeSpan.FromMinutes(2), rollout.Pause);
    }

    [Fact]
    public void Parse_StepsNotIncreasing_NamesTheStepAndItsLine()
    {
        var error = SingleError("rollout: { steps: [5%, 50%, 25%] }");

        Assert.Equal("rollout.steps[2]", error.Key);
        Assert.Equal(3, error.Line);
        Assert.Contains("increasing order", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rollout: { steps: [0%] }", "rollout.steps[0]", "out of range")]
    [InlineData("rollout: { steps: [half] }", "rollout.steps[0]", "whole percentage")]
    [InlineData("rollout: { steps: [] }", "rollout.steps", "is empty")]
    [InlineData("rollout: { pause: 2m }", "rollout.steps", "is missing")]
    [InlineData("rollout: { steps: [5%], pause: 2 }", "rollout.pause", "no unit")]
    [InlineData("rollout: { steps: [5%], pasue: 2m }", "rollout.pasue", "did you mean `pause`")]
    [InlineData("rollout: { steps: [5%], analysis: { max_error_rate: 5 } }", "rollout.analysis.max_error_rate", "not a percentage")]
    [InlineData("rollout: { steps: [5%], analysis: { max_latency_ratio: 0.5 } }", "rollout.analysis.max_latency_ratio", "ratio of 1 or more")]
    [InlineData("rollout: { steps: [5%], analysis: { inconclusive: advanse } }", "rollout.analysis.inconclusive", "did you mean `advance`")]
    [InlineData("rollout: { steps: [5%], analysis: { min_requests: 0 } }", "rollout.analysis.min_requests", "out of range")]
    public void Parse_BadRollout_SaysWhichKeyAndWhatToDo(string yaml, string key, string message)
    {
        var error = SingleError(yaml);

        Assert.Equal(key, error.Key);
        Assert.Equal("slipway.yml", error.File);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10%", 10)]
    [InlineData(" 100 ", 100)]
    [InlineData("1", 1)]
    public void ParseShare_Percentages_AreRead(string text, int share) => Assert.Equal(share, RolloutSpecParser.ParseShare(text, out _));

    [Theory]
    [InlineData("101%")]
    [InlineData("-5%")]
    [InlineData("5.5%")]
    [InlineData("")]
    public void ParseShare_NotAShare_IsRefusedWithAReason(string text)
    {
        Assert.Null(RolloutSpecParser.ParseShare(text, out var error));
        Assert.NotEmpty(error);
    }
}
