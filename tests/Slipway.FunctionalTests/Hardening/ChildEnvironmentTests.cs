using System.Net;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Hardening;

/// <summary>
/// Slipway's own environment (the master key, cloud credentials, whatever the service manager set) must never
/// reach an app, a build step or a migrate step: each starts from the documented allow-list plus its spec's env.
/// </summary>
public sealed class ChildEnvironmentTests
{
    private const string Check = "test -z \"$SLIPWAY_MASTER_KEY$AWS_SECRET_ACCESS_KEY$HARDEN_CANARY\" || { echo \"saw Slipway's environment\"; exit 1; }; test -n \"$PATH\" && test -n \"$HOME\"";

    [Fact]
    public async Task Up_WithKeyAndCredentialsInItsEnvironment_AppBuildAndMigrateSeeOnlyTheAllowListAndTheirSpec()
    {
        await using var slipway = await SlipwayProcess.StartAsync("up", workingDirectory: null, waitForReady: true, new Dictionary<string, string>
        {
            ["SLIPWAY_MASTER_KEY"] = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["AWS_SECRET_ACCESS_KEY"] = "aws-" + Guid.NewGuid().ToString("N"),
            ["HARDEN_CANARY"] = "canary",
        });
        using var sources = new AppSources();
        var spec = new TestAppSpec
        {
            App = "cleanenv",
            Build = [("env-check", Check)],
            Migrate = Check,
            Env = new Dictionary<string, string> { ["FROM_SPEC"] = "yes" },
        };
        await slipway.Admin.RegisterAsync(spec.App, spec.ToYaml());

        // The build and migrate steps fail the deploy when they see any of the edge's variables.
        await slipway.Admin.DeploySucceededAsync(spec.App, sources.Version(spec, "clean v1"));

        foreach (var leaked in new[] { "SLIPWAY_MASTER_KEY", "AWS_SECRET_ACCESS_KEY", "HARDEN_CANARY" })
        {
            var (status, body) = await slipway.EdgeGetAsync(spec.Host, $"/env/{leaked}/sha256");
            Assert.True(status == HttpStatusCode.NotFound, $"{leaked} reached the app: {(int)status} {body}");
        }

        foreach (var present in new[] { "PATH", "HOME", "FROM_SPEC", "SLIPWAY_APP", "PORT" })
        {
            var (status, _) = await slipway.EdgeGetAsync(spec.Host, $"/env/{present}/sha256");
            Assert.True(status == HttpStatusCode.OK, $"{present} did not reach the app: {(int)status}");
        }
    }
}
