using System.Security.Cryptography;
using Slipway.Edge.Secrets;
using Slipway.ControlPlane.Tests.Store;

namespace Slipway.ControlPlane.Tests.Secrets;

public sealed class SecretBoxTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void Seal_ThenOpen_GivesTheValueBackAndNeverStoresItInClear()
    {
        var box = new SecretBox(Key);
        var sealedText = box.Seal("hunter2-hunter2-hunter2", "webhook:hello");

        Assert.DoesNotContain("hunter2", sealedText);
        Assert.NotEqual(sealedText, box.Seal("hunter2-hunter2-hunter2", "webhook:hello"));
        Assert.Equal("hunter2-hunter2-hunter2", box.Open(sealedText, "webhook:hello"));
    }

    [Fact]
    public void Open_OtherOwnerOtherKeyOrAltered_Throws()
    {
        var sealedText = new SecretBox(Key).Seal("value", "webhook:hello");
        var altered = sealedText[..^4] + (sealedText[^4] == 'A' ? "B" : "A") + sealedText[^3..];

        Assert.ThrowsAny<CryptographicException>(() => new SecretBox(Key).Open(sealedText, "webhook:other"));
        Assert.ThrowsAny<CryptographicException>(() => new SecretBox(RandomNumberGenerator.GetBytes(32)).Open(sealedText, "webhook:hello"));
        Assert.ThrowsAny<CryptographicException>(() => new SecretBox(Key).Open(altered, "webhook:hello"));
    }

    [Fact]
    public void Load_NoKeyYet_CreatesKeyFileReadableOnlyByTheOwnerAndReusesIt()
    {
        using var home = new TempDirectory();

        var first = MasterKey.Load(home.Path, null);
        var second = MasterKey.Load(home.Path, null);

        Assert.Equal(32, first.Length);
        Assert.Equal(first, second);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(home.File(MasterKey.FileName)));
    }

    [Fact]
    public void Load_FromEnvironment_AcceptsBase64OrHexAndRefusesOtherText()
    {
        using var home = new TempDirectory();
        var key = RandomNumberGenerator.GetBytes(32);

        Assert.Equal(key, MasterKey.Load(home.Path, Convert.ToBase64String(key)));
        Assert.Equal(key, MasterKey.Load(home.Path, Convert.ToHexString(key)));
        var e = Assert.Throws<InvalidOperationException>(() => MasterKey.Load(home.Path, "short"));
        Assert.Contains(MasterKey.EnvironmentVariable, e.Message);
        Assert.False(File.Exists(home.File(MasterKey.FileName)));
    }
}
