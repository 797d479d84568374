using Slipway.ControlPlane.Secrets;

namespace Slipway.ControlPlane.Tests.Secrets;

public sealed class SecretNamesTests
{
    [Theory]
    [InlineData("DATABASE_URL")]
    [InlineData("_PRIVATE")]
    [InlineData("A1")]
    [InlineData("GIT_PASSWORD")]
    public void NameProblem_ValidName_IsNull(string name) => Assert.Null(SecretNames.NameProblem(name));

    [Theory]
    [InlineData("database_url", "DATABASE_URL")]
    [InlineData("bad-name", "BAD_NAME")]
    [InlineData("1TOKEN", "_1TOKEN")]
    public void NameProblem_InvalidName_SaysTheRuleAndSuggestsOne(string name, string suggestion)
    {
        var problem = SecretNames.NameProblem(name);

        Assert.NotNull(problem);
        Assert.StartsWith("name: ", problem);
        Assert.Contains("[A-Z_][A-Z0-9_]*", problem);
        Assert.EndsWith("e.g. " + suggestion, problem);
    }

    [Fact]
    public void NameProblem_EmptyOrTooLong_IsRefused()
    {
        Assert.Contains("give the secret's name", SecretNames.NameProblem(""));
        Assert.Contains("at most 128", SecretNames.NameProblem(new string('A', 129)));
    }

    [Fact]
    public void ValueProblem_EmptyNulOrTooLarge_IsRefusedAndOrdinaryValuesPass()
    {
        Assert.Contains("unset", SecretNames.ValueProblem(""));
        Assert.Contains("NUL", SecretNames.ValueProblem("a\0b"));
        Assert.Contains("64 KiB", SecretNames.ValueProblem(new string('x', (64 * 1024) + 1)));
        Assert.Null(SecretNames.ValueProblem("-----BEGIN KEY-----\nabc\n-----END KEY-----"));
    }
}
