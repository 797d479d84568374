using Slipway.ControlPlane.Pipeline;

namespace Slipway.ControlPlane.Tests.Pipeline;

public sealed class RedactorTests
{
    [Fact]
    public void Redact_SecretInsideAnotherSecret_MasksTheLongerOneWhole()
    {
        var redactor = new Redactor(["abc", "abcdef"]);

        Assert.Equal("x=*** y=***", redactor.Redact("x=abcdef y=abc"));
    }

    [Fact]
    public void Redact_EmptySecret_IsIgnored()
    {
        var redactor = new Redactor(["", "pw"]);

        Assert.Equal("a *** b", redactor.Redact("a pw b"));
    }

    [Fact]
    public void Redact_None_ReturnsTextUnchanged()
    {
        Assert.Equal("plain", Redactor.None.Redact("plain"));
    }
}
