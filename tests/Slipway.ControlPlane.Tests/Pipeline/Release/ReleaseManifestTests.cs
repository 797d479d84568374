using System.Text.Json;
using Slipway.ControlPlane.Pipeline.Release;
using Slipway.ControlPlane.Tests.IO;

namespace Slipway.ControlPlane.Tests.Pipeline.Release;

public sealed class ReleaseManifestTests : IDisposable
{
    private static readonly ReleaseManifest Sample = new()
    {
        App = "hello",
        Release = "20261122-043000-0123abcd",
        Revision = "0123456789abcdef0123456789abcdef01234567",
        Dirty = true,
        Ref = "main",
        Digest = "sha256:" + new string('a', 64),
        BuiltAt = new DateTimeOffset(2026, 11, 22, 4, 30, 0, TimeSpan.Zero),
        Gates = [new GateResult("publish", 0, 1234), new GateResult("test", 0, 56)],
    };

    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriteThenRead_RoundTripsEveryField()
    {
        Sample.Write(_dir.Path);

        var read = ReleaseManifest.Read(_dir.Path);

        Assert.Equal(Sample with { Gates = [] }, read with { Gates = [] });
        Assert.Equal(Sample.Gates, read.Gates);
    }

    [Fact]
    public void ToJson_UsesCamelCaseNames()
    {
        using var json = JsonDocument.Parse(Sample.ToJson());
        var root = json.RootElement;

        Assert.Equal("hello", root.GetProperty("app").GetString());
        Assert.Equal(Sample.Release, root.GetProperty("release").GetString());
        Assert.True(root.GetProperty("dirty").GetBoolean());
        Assert.Equal("main", root.GetProperty("ref").GetString());
        Assert.Equal(Sample.Digest, root.GetProperty("digest").GetString());
        Assert.Equal("2026-11-22T04:30:00+00:00", root.GetProperty("builtAt").GetString());
        var gate = root.GetProperty("gates")[0];
        Assert.Equal("publish", gate.GetProperty("name").GetString());
        Assert.Equal(0, gate.GetProperty("exitCode").GetInt32());
        Assert.Equal(1234, gate.GetProperty("durationMs").GetInt64());
    }

    [Fact]
    public void Read_InvalidJson_FailsNamingTheFile()
    {
        _dir.Write("release.json", "{ not json");

        var ex = Assert.Throws<InvalidDataException>(() => ReleaseManifest.Read(_dir.Path));

        Assert.Contains("release.json", ex.Message);
    }

    [Fact]
    public void ReleaseId_Create_IsUtcTimestampAndDigestPrefix()
    {
        var builtAt = new DateTimeOffset(2026, 11, 22, 6, 30, 5, TimeSpan.FromHours(2));

        var id = ReleaseId.Create(builtAt, "sha256:0123abcd" + new string('f', 56));

        Assert.Equal("20261122-043005-0123abcd", id);
    }
}
