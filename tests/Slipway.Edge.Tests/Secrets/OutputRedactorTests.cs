using System.Text;
using Slipway.Edge.Secrets;

namespace Slipway.Edge.Tests.Secrets;

public sealed class OutputRedactorTests
{
    [Fact]
    public void Redact_SecretInsideAnother_MasksTheLongerWholeAndLeavesShortValuesAlone()
    {
        var redactor = new OutputRedactor(["token", "token-and-more", "ab"]);

        var masked = redactor.Redact("a token-and-more b token ab\n"u8);

        Assert.Equal("a *** b *** ab\n", Encoding.UTF8.GetString(masked));
    }

    [Fact]
    public void Redact_InvalidUtf8AroundASecret_KeepsEveryOtherByteAsItWas()
    {
        var redactor = new OutputRedactor(["sëcret-value"]);
        byte[] text = [0xff, 0xfe, .. Encoding.UTF8.GetBytes("sëcret-value"), 0xc3, (byte)'\n'];

        var masked = redactor.Redact(text);

        Assert.Equal([0xff, 0xfe, (byte)'*', (byte)'*', (byte)'*', 0xc3, (byte)'\n'], masked);
    }

    [Fact]
    public void IsEmpty_OnlyShortOrEmptyValues_IsTrue()
    {
        Assert.True(new OutputRedactor(["", "abc"]).IsEmpty);
        Assert.False(new OutputRedactor(["abcd"]).IsEmpty);
    }
}
