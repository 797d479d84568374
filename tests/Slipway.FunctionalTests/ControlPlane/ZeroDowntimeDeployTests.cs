using System.Net;
using System.Text.Json;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.ControlPlane;

/// <summary>
/// The promise users deploy for: while a new revision rolls out (and while a rollback swaps back), every
/// request through the edge gets an answer from the old or the new generation, never an error.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class ZeroDowntimeDeployTests(SlipwayFixture fixture)
{
    private const int Clients = 16;

    [Fact]
    public async Task Deploy_UnderConcurrentLoad_NoRequestFailsAndNewRevisionServes()
    {
        var spec = new TestAppSpec { App = "zero" };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var v1 = fixture.Sources.Version(spec, "zero v1");
        var v2 = fixture.Sources.Version(spec, "zero v2");
        var first = await fixture.Admin.DeploySucceededAsync(spec.App, v1);

        await using var load = await EdgeLoad.StartAsync(fixture.Slipway.HttpUrl, spec.Host, IsV1OrV2, Clients);
        var second = await fixture.Admin.DeploySucceededAsync(spec.App, v2);
        await load.AtLeastAsync(Clients * 10);
        var result = await load.StopAsync();

        Assert.True(result.Failures == 0, result.ToString());
        Assert.Contains(result.Bodies.Keys, body => body.StartsWith("zero v1 ", StringComparison.Ordinal));
        Assert.Contains(result.Bodies.Keys, body => body.StartsWith("zero v2 ", StringComparison.Ordinal));
        Assert.StartsWith("zero v2 ", (await fixture.Slipway.EdgeGetAsync(spec.Host, "/")).Body, StringComparison.Ordinal);

        var (status, versionJson) = await fixture.Slipway.EdgeGetAsync(spec.Host, "/version");
        Assert.Equal(HttpStatusCode.OK, status);
        using var version = JsonDocument.Parse(versionJson);
        Assert.NotNull(second.Revision);
        Assert.Equal(second.Revision, version.RootElement.GetProperty("revision").GetString());
        Assert.Equal(second.Digest, version.RootElement.GetProperty("digest").GetString());
        Assert.NotEqual(first.Digest, second.Digest);

        var releases = await fixture.Admin.ReleasesAsync(spec.App);
        Assert.Equal([second.Release, first.Release], releases.Select(r => r.Id));
        Assert.Equal([second.Digest, first.Digest], releases.Select(r => r.Digest));
        Assert.Equal("current", releases[0].Environments["prod"]);
        Assert.Equal("previous", releases[1].Environments["prod"]);

        static bool IsV1OrV2(string body) => body.StartsWith("zero v1 ", StringComparison.Ordinal) || body.StartsWith("zero v2 ", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_WhilePreviousIsWarm_NoRequestFailsAndSameV1ProcessServes()
    {
        var spec = new TestAppSpec { App = "warm" };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await fixture.Admin.DeploySucceededAsync(spec.App, fixture.Sources.Version(spec, "warm v1"));
        var v1Body = (await fixture.Slipway.EdgeGetAsync(spec.Host, "/")).Body;
        await fixture.Admin.DeploySucceededAsync(spec.App, fixture.Sources.Version(spec, "warm v2"));
        Assert.StartsWith("warm v2 ", (await fixture.Slipway.EdgeGetAsync(spec.Host, "/")).Body, StringComparison.Ordinal);

        await using var load = await EdgeLoad.StartAsync(
            fixture.Slipway.HttpUrl, spec.Host, body => body.StartsWith("warm v1 ", StringComparison.Ordinal) || body.StartsWith("warm v2 ", StringComparison.Ordinal), Clients);
        var (status, outcome) = await fixture.Admin.RollbackAndWaitAsync(spec.App);
        await load.AtLeastAsync(Clients * 10);
        var result = await load.StopAsync();

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {outcome.Status}: {outcome.ErrorSummary}\n{outcome.LogTail}");
        Assert.Equal("succeeded", outcome.Status);
        Assert.True(result.Failures == 0, result.ToString());

        // The body names the generation: the very process that served v1 serves again (it was kept warm).
        Assert.Equal(v1Body, (await fixture.Slipway.EdgeGetAsync(spec.Host, "/")).Body);
        var rollback = await fixture.Admin.GetDeploymentAsync(outcome.Id);
        Assert.Equal("rollback", rollback.Kind);
        Assert.Equal("succeeded", rollback.Status);
        Assert.Equal(1, rollback.Generation);
    }
}
