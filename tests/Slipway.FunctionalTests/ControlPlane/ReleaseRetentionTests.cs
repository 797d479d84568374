using System.Net;
using System.Net.Http.Json;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.ControlPlane;

/// <summary>Release trees do not pile up on disk, and removing an app takes everything of it away.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class ReleaseRetentionTests(SlipwayFixture fixture)
{
    [Fact]
    public async Task Deploy_BeyondKeepReleases_PrunesOldTreesButKeepsLiveOnesAndTheLedger()
    {
        var spec = new TestAppSpec { App = "keep", KeepReleases = 1 };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var deployed = new List<string>();
        foreach (var content in new[] { "keep v1", "keep v2", "keep v3" })
        {
            deployed.Add((await fixture.Admin.DeploySucceededAsync(spec.App, fixture.Sources.Version(spec, content))).Release!);
        }

        var trees = Directory.GetDirectories(Path.Combine(fixture.Slipway.Home, "releases", spec.App))
            .Select(Path.GetFileName)
            .Where(name => !name!.StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();

        // v3 is current (and the newest), v2 is the warm previous generation; v1 runs nowhere: pruned.
        Assert.Equal(deployed.Skip(1).Order(StringComparer.Ordinal), trees);
        Assert.Equal(3, (await fixture.Admin.ReleasesAsync(spec.App)).Count);
        using var rollback = await fixture.Admin.Client.PostAsync(
            $"api/v1/apps/{spec.App}/rollback", JsonContent.Create(new RollbackRequest { To = deployed[0] }));
        Assert.Equal(HttpStatusCode.Conflict, rollback.StatusCode);
        Assert.Contains("no longer retained", await rollback.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoveApp_Deployed_StopsItRemovesRoutesAndReleaseTrees()
    {
        var spec = new TestAppSpec { App = "gone" };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        await fixture.Admin.DeploySucceededAsync(spec.App, fixture.Sources.Version(spec, "gone v1"));
        Assert.Equal(HttpStatusCode.OK, (await fixture.Slipway.EdgeGetAsync(spec.Host, "/")).Status);

        using var response = await fixture.Admin.Client.DeleteAsync($"api/v1/apps/{spec.App}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Slipway.EdgeGetAsync(spec.Host, "/")).Status);
        Assert.False(Directory.Exists(Path.Combine(fixture.Slipway.Home, "releases", spec.App)));
        Assert.DoesNotContain(await fixture.Admin.AppsAsync(), a => a.Name == spec.App);
    }
}
