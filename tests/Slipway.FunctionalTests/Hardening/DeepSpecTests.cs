using System.Net;
using Slipway.FunctionalTests.ControlPlane;

namespace Slipway.FunctionalTests.Hardening;

/// <summary>A spec nested thousands deep once overflowed the stack and killed the control plane with every deploy in flight.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class DeepSpecTests(SlipwayFixture fixture)
{
    [Theory]
    [InlineData("application/json")]
    [InlineData("application/yaml")]
    public async Task PutApp_DeeplyNestedSpec_Is400NamingTheLimitAndTheControlPlaneLives(string contentType)
    {
        var depth = 50_000;
        var body = "{\"app\": \"deep\", \"run\": " + new string('[', depth) + new string(']', depth) + "}";
        using var content = new StringContent(body, System.Text.Encoding.UTF8, contentType);

        using var response = await fixture.Admin.Client.PutAsync("/api/v1/apps/deep", content);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Contains("levels deep (the limit)", text);
        Assert.False(fixture.Slipway.HasExited);
        using var ready = await fixture.Admin.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.DoesNotContain(await fixture.Admin.AppsAsync(), a => a.Name == "deep");
    }
}
