using System.Text;
using Slipway.ControlPlane.Webhooks;

namespace Slipway.ControlPlane.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\"}");

    [Fact]
    public void Verify_SignatureOfTheExactBody_IsAccepted()
    {
        Assert.True(WebhookSignature.Verify("s3cret", Body, WebhookSignature.Sign("s3cret", Body), ""));
        Assert.True(WebhookSignature.Verify("s3cret", Body, WebhookSignature.Sign("s3cret", Body, "sha256="), "sha256="));
    }

    [Fact]
    public void Verify_KnownVector_MatchesHmacSha256Hex()
    {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        var data = Encoding.UTF8.GetBytes("what do ya want for nothing?");
        Assert.True(WebhookSignature.Verify("Jefe", data, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", ""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-hex")]
    [InlineData("sha1=0123")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public void Verify_MissingMalformedOrWrong_IsRefused(string header) =>
        Assert.False(WebhookSignature.Verify("s3cret", Body, header, ""));

    [Fact]
    public void Verify_OtherSecretOrChangedBody_IsRefused()
    {
        var signature = WebhookSignature.Sign("s3cret", Body);
        Assert.False(WebhookSignature.Verify("other", Body, signature, ""));
        Assert.False(WebhookSignature.Verify("s3cret", [.. Body, (byte)' '], signature, ""));
    }

    [Fact]
    public void Verify_GitHubHeaderWithoutPrefix_IsRefused() =>
        Assert.False(WebhookSignature.Verify("s3cret", Body, WebhookSignature.Sign("s3cret", Body), "sha256="));
}
