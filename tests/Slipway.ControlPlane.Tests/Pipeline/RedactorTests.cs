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

    [Fact]
    public void ForSecrets_ShortValue_IsNotMaskedButLongerOnesAre()
    {
        var redactor = Redactor.ForSecrets(["abc", "abcd"]);

        Assert.Equal("abc *** ***e", redactor.Redact("abc abcd abcde"));
    }

    [Fact]
    public void ForSecrets_MultiLineValue_EachLineIsMaskedOnItsOwn()
    {
        var redactor = Redactor.ForSecrets(["-----BEGIN-----\r\nline-one-of-key\nline-two-of-key\n-----END-----"]);

        Assert.Equal("key: ***", redactor.Redact("key: line-two-of-key"));
        Assert.Equal("***", redactor.Redact("-----BEGIN-----"));
    }

    [Fact]
    public void ForSecrets_InJson_MasksTheEscapedForm()
    {
        var redactor = Redactor.ForSecrets(["a\"b<c>d"], inJson: true);
        var json = System.Text.Json.JsonSerializer.Serialize(new { line = "x a\"b<c>d y" });

        Assert.Equal("{\"line\":\"x *** y\"}", redactor.Redact(json));
    }
}
