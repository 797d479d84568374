using Slipway.ControlPlane.Spec;

namespace Slipway.ControlPlane.Tests.Spec;

public sealed class SpecLimitsTests
{
    [Theory]
    [InlineData(100_000, "[", "]")]
    [InlineData(100_000, "{a: ", "}")]
    public void Parse_DeeplyNestedFlow_IsRefusedNamingTheLimitWithoutOverflowingTheStack(int depth, string open, string close)
    {
        var yaml = "app: deep\nrun: " + string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)) + "\n";

        var error = Assert.Throws<SpecException>(() => AppSpecParser.ParseJson(yaml.Length > AppSpecParser.MaxCharacters ? yaml[..(AppSpecParser.MaxCharacters - 10)] : yaml));

        Assert.Contains($"more than {PositionTrackingParser.MaxDepth} levels deep", error.Message);
    }

    [Fact]
    public void Parse_DeeplyNestedBlockMappings_IsRefusedNamingTheLimit()
    {
        var yaml = new System.Text.StringBuilder("app: deep\nenv:\n");
        for (var i = 0; i < 200; i++)
        {
            yaml.Append(new string(' ', (i + 1) * 1)).Append('k').Append(i).Append(":\n");
        }

        var error = Assert.Throws<SpecException>(() => AppSpecParser.Parse(yaml.ToString()));

        Assert.Contains("levels deep", error.Message);
    }

    [Fact]
    public void Parse_OverTheSizeLimit_IsRefusedBeforeParsingNamingTheLimit()
    {
        var yaml = "app: big\n# " + new string('x', AppSpecParser.MaxCharacters) + "\n";

        var error = Assert.Throws<SpecException>(() => AppSpecParser.Parse(yaml));

        Assert.Contains($"the limit is {AppSpecParser.MaxCharacters}", error.Message);
    }
}
