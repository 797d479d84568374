using Slipway.ControlPlane.Runtime;

namespace Slipway.ControlPlane.Tests.Runtime;

public sealed class RuntimeKindTests
{
    [Theory]
    [InlineData("process")]
    [InlineData("docker")]
    [InlineData("swarm")]
    public void Parse_NameOfAKind_ReturnsTheKindWithThatName(string name)
    {
        var kind = RuntimeKind.Parse(name);

        Assert.NotNull(kind);
        Assert.Equal(name, kind.Name);
        Assert.Same(kind, RuntimeKind.Parse(name));
    }

    [Theory]
    [InlineData("Docker")]
    [InlineData("kubernetes")]
    [InlineData("")]
    [InlineData(null)]
    public void Parse_NotTheNameOfAKind_ReturnsNull(string? name) => Assert.Null(RuntimeKind.Parse(name));
}
