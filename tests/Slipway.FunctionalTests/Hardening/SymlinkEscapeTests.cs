using Slipway.FunctionalTests.ControlPlane;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Hardening;

/// <summary>
/// Whoever can push to an app's repository (or hand over a --from directory) decides its symlinks. A link whose
/// real path leaves the tree must fail the deploy in the source phase, naming the link, and no release appears.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class SymlinkEscapeTests(SlipwayFixture fixture)
{
    private static readonly TimeSpan DeployDeadline = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("absolute", "leak", "/etc")]
    [InlineData("climbing", "leak", "..")]
    [InlineData("through-a-link", "leak", "deep/up/..")]
    public async Task PushedRepository_WithEscapingLink_FailsInSourceNamingTheLink(string kind, string link, string target)
    {
        using var repository = await GitRepository.CreateAsync("escape-" + kind);
        // deep/up -> .. resolves to the tree's root (inside); leak -> deep/up/.. is inside lexically but climbs
        // one level above the root once deep/up is followed.
        await repository.CommitLinksAsync($"escape {kind}", ("deep/up", ".."), (link, target));
        await repository.PushAsync();
        var spec = new TestAppSpec { App = repository.Name, Source = (repository.BarePath, "main") };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());

        var deploy = await fixture.Slipway.CliAsync("deploy", spec.App);

        Assert.True(deploy.ExitCode == 1, $"{deploy.Stdout}\n{deploy.Stderr}");
        var failed = Assert.Single(await fixture.Admin.DeploymentsAsync(spec.App));
        Assert.Equal("failed", failed.Status);
        Assert.Equal("source", failed.Phase);
        Assert.Contains($"'{link}'", failed.ErrorSummary);
        Assert.Contains("self-contained", failed.ErrorSummary);
        Assert.Empty(await fixture.Admin.ReleasesAsync(spec.App));
    }

    [Fact]
    public async Task PushedRepository_WithLinksThatStayInside_Deploys()
    {
        using var repository = await GitRepository.CreateAsync("escape-none");
        await repository.CommitLinksAsync("inside links", ("deep/up", ".."), ("alias.txt", "deep/up/content.txt"), ("dangling", "not-there"));
        await repository.PushAsync();
        var spec = new TestAppSpec { App = repository.Name, Source = (repository.BarePath, "main") };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());

        var deploy = await fixture.Slipway.CliAsync("deploy", spec.App);

        Assert.True(deploy.ExitCode == 0, $"{deploy.Stdout}\n{deploy.Stderr}");
    }

    [Fact]
    public async Task FromDirectory_WithLinkThroughALinkClimbingOut_FailsInSourceNamingTheLink()
    {
        var spec = new TestAppSpec { App = "escape-from" };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var dir = fixture.Sources.Version(spec, "escape from");
        Directory.CreateDirectory(Path.Combine(dir, "deep"));
        File.CreateSymbolicLink(Path.Combine(dir, "deep", "up"), "..");
        File.CreateSymbolicLink(Path.Combine(dir, "leak"), "deep/up/..");

        var deploy = await fixture.Slipway.CliAsync("deploy", spec.App, "--from", dir);

        Assert.True(deploy.ExitCode == 1, $"{deploy.Stdout}\n{deploy.Stderr}");
        var failed = Assert.Single(await fixture.Admin.DeploymentsAsync(spec.App));
        Assert.Equal("source", failed.Phase);
        Assert.Contains("'leak'", failed.ErrorSummary);
        Assert.Empty(await fixture.Admin.ReleasesAsync(spec.App));
    }
}
