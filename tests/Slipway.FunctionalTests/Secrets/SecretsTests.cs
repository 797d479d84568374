using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Slipway.Client;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.FunctionalTests.ControlPlane;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Secrets;

/// <summary>
/// App secrets through the real binary (docs/architecture.md §9.9): set with the CLI, injected into a build step, the
/// migration and the app, and never shown or stored in clear — not in events, logTail, API answers, CLI output, nor any byte under the home.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class SecretsTests(SlipwayFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Secret_EchoedByBuildAndApp_ReachesTheAppButIsMaskedEverywhere()
    {
        var slipway = fixture.Slipway;
        var value = "sv-" + Guid.NewGuid().ToString("N");
        var spec = new TestAppSpec
        {
            App = "secretive",
            Build = [("leak", "echo build saw $SECRET_TOKEN")],
            Env = new Dictionary<string, string> { ["TESTAPP_PRINT_ENV"] = "SECRET_TOKEN" },
            Migrate = "echo migrate saw ${#SECRET_TOKEN} characters: $SECRET_TOKEN",
        };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var seen = new List<string>();

        var set = await slipway.CliWithInputAsync(value + "\n", "secrets", "set", spec.App, "SECRET_TOKEN");
        seen.Add(set.Stdout + set.Stderr);
        Assert.True(set.ExitCode == 0, set.Stderr);

        var deploy = await slipway.CliAsync("deploy", spec.App, "--from", fixture.Sources.Version(spec, "secretive v1"));
        seen.Add(deploy.Stdout + deploy.Stderr);
        Assert.True(deploy.ExitCode == 0, deploy.Stdout + deploy.Stderr);
        Assert.Contains("[leak] build saw ***", deploy.Stdout);
        Assert.Contains($"[migrate] migrate saw {value.Length} characters: ***", deploy.Stdout);

        // The app did get the value: it answers its hash, and printed it (masked) at start-up.
        var (status, hash) = await slipway.EdgeGetAsync(spec.Host, "/env/SECRET_TOKEN/sha256");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value))), hash);
        var logs = await Poll.ForAsync(
            async () => await slipway.CliAsync("logs", spec.App),
            r => r.Stdout.Contains("testapp: SECRET_TOKEN=***", StringComparison.Ordinal),
            Deadline, "the app's masked start-up line in `slipway logs`");
        seen.Add(logs.Stdout + logs.Stderr);

        foreach (var args in new[] { new[] { "status", spec.App }, ["status", spec.App, "--json"], ["secrets", "list", spec.App], ["secrets", "list", spec.App, "--json"] })
        {
            var run = await slipway.CliAsync(args);
            Assert.True(run.ExitCode == 0, run.Stderr);
            seen.Add(run.Stdout + run.Stderr);
        }

        Assert.Contains("SECRET_TOKEN", seen[^1]);

        // A failing build that prints the value: errorSummary and logTail carry its last lines.
        await fixture.Admin.RegisterAsync(spec.App, (spec with { Build = [("fail", "echo failing with $SECRET_TOKEN; exit 3")] }).ToYaml());
        var (failedStatus, failed) = await fixture.Admin.DeployAndWaitAsync(spec.App, fixture.Sources.Version(spec, "secretive v2"));
        Assert.Equal(HttpStatusCode.InternalServerError, failedStatus);
        Assert.Contains("failing with ***", failed.ErrorSummary);
        Assert.Contains("failing with ***", failed.LogTail);

        var deployments = await fixture.Admin.DeploymentsAsync(spec.App);
        foreach (var path in new[]
        {
            $"/api/v1/apps/{spec.App}", "/api/v1/apps", $"/api/v1/apps/{spec.App}/deployments", $"/api/v1/apps/{spec.App}/logs",
            $"/api/v1/apps/{spec.App}/secrets", $"/api/v1/apps/{spec.App}/releases",
        }.Concat(deployments.SelectMany(d => new[] { $"/api/v1/deployments/{d.Id}", $"/api/v1/deployments/{d.Id}/events" })))
        {
            using var response = await fixture.Admin.Client.GetAsync(path);
            Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode}");
            seen.Add(path + ": " + await response.Content.ReadAsStringAsync());
        }

        Assert.Contains(seen, s => s.Contains("build saw ***", StringComparison.Ordinal) && s.Contains("/events", StringComparison.Ordinal));
        Assert.All(seen, text => Assert.DoesNotContain(value, text, StringComparison.Ordinal));
        AssertNoFileHolds(slipway.Home, value);
    }

    [Fact]
    public async Task Set_BadNameOrUnknownApp_ClearErrorAndNothingChanged()
    {
        var slipway = fixture.Slipway;
        var spec = new TestAppSpec { App = "secret-names" };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        var journalBefore = await EventCountAsync(spec.App);

        var bad = await slipway.CliWithInputAsync("some-value", "secrets", "set", spec.App, "bad-name");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("'bad-name' is not a secret name", bad.Stderr);
        Assert.Contains("BAD_NAME", bad.Stderr);

        using var viaApi = await fixture.Admin.Client.PutAsJsonAsync($"/api/v1/apps/{spec.App}/secrets/lower", new SecretValueRequest { Value = "some-value" });
        Assert.Equal(HttpStatusCode.BadRequest, viaApi.StatusCode);
        Assert.Contains("[A-Z_][A-Z0-9_]*", await viaApi.Content.ReadAsStringAsync());

        using var unknownApp = await fixture.Admin.Client.PutAsJsonAsync("/api/v1/apps/no-such-app/secrets/TOKEN", new SecretValueRequest { Value = "some-value" });
        Assert.Equal(HttpStatusCode.NotFound, unknownApp.StatusCode);

        var unset = await slipway.CliAsync("secrets", "unset", spec.App, "NEVER_SET");
        Assert.Equal(2, unset.ExitCode);
        Assert.Contains("has no secret NEVER_SET", unset.Stderr);

        var list = await slipway.CliAsync("secrets", "list", spec.App);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("has no secrets", list.Stdout);
        Assert.Equal(journalBefore, await EventCountAsync(spec.App));
    }

    [Fact]
    public async Task Deploy_DeclaredSecretNotSet_FailsNamingItAndHowToSetIt_ThenSucceedsOnceSet()
    {
        var slipway = fixture.Slipway;
        var spec = new TestAppSpec { App = "secret-declared", Secrets = ["DATABASE_URL"] };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());
        using var sources = new AppSources();
        var from = sources.Version(spec, "declared v1");

        var (status, outcome) = await fixture.Admin.DeployAndWaitAsync(spec.App, from);

        Assert.NotEqual(HttpStatusCode.OK, status);
        Assert.Equal("failed", outcome.Status);
        Assert.StartsWith("secrets: DATABASE_URL is listed under `secrets:` in slipway.yml but not set", outcome.ErrorSummary, StringComparison.Ordinal);
        Assert.Contains($"slipway secrets set {spec.App} DATABASE_URL", outcome.ErrorSummary, StringComparison.Ordinal);
        Assert.Empty(await fixture.Admin.ReleasesAsync(spec.App)); // stopped before anything was fetched or built

        var set = await slipway.CliWithInputAsync("postgres://db.internal/app", "secrets", "set", spec.App, "DATABASE_URL");
        Assert.Equal(0, set.ExitCode);
        await fixture.Admin.DeploySucceededAsync(spec.App, from);
    }

    [Fact]
    public async Task Set_WithValueOption_WarnsAboutShellHistory()
    {
        var spec = new TestAppSpec { App = "secret-flag" };
        await fixture.Admin.RegisterAsync(spec.App, spec.ToYaml());

        var run = await fixture.Slipway.CliAsync("secrets", "set", spec.App, "API_KEY", "--value", "flag-value-123");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("shell history", run.Stderr);
        Assert.DoesNotContain("flag-value-123", run.Stdout + run.Stderr);
        var names = await fixture.Admin.Client.GetFromJsonAsync<List<SecretView>>($"/api/v1/apps/{spec.App}/secrets");
        Assert.Equal(["API_KEY"], names!.Select(n => n.Name));
    }

    private async Task<int> EventCountAsync(string app)
    {
        // The whole journal, replayed from the start, then the stream is cut; only this app's events count.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events");
        request.Headers.Add("Last-Event-ID", "0");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        using var response = await fixture.Admin.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var count = 0;
        try
        {
            await foreach (var e in ServerSentEventReader.ReadAsync(await response.Content.ReadAsStreamAsync(timeout.Token), timeout.Token))
            {
                using var data = System.Text.Json.JsonDocument.Parse(e.Data);
                if (data.RootElement.TryGetProperty("app", out var of) && of.GetString() == app)
                {
                    count++;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The live part never ends by itself.
        }

        return count;
    }

    private static void AssertNoFileHolds(string home, string value)
    {
        var needle = Encoding.UTF8.GetBytes(value);
        var checkedFiles = 0;
        foreach (var file in Directory.EnumerateFiles(home, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (file.EndsWith(".fifo", StringComparison.Ordinal) || file.EndsWith(".sock", StringComparison.Ordinal))
            {
                continue; // no stored bytes, and opening a FIFO would wait for a writer
            }

            byte[] bytes;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if (!stream.CanSeek)
                {
                    continue; // the edge's control socket, a FIFO: no stored bytes
                }

                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }
            catch (IOException)
            {
                continue; // a socket or a file removed while walking
            }

            checkedFiles++;
            Assert.False(bytes.AsSpan().IndexOf(needle) >= 0, $"{file} holds the secret value in clear");
        }

        Assert.Contains(Path.Combine(home, "slipway.db"), Directory.EnumerateFiles(home));
        Assert.True(checkedFiles > 5, $"only {checkedFiles} files were searched");
    }
}
