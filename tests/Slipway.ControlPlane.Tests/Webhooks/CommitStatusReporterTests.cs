using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Slipway.ControlPlane.Store;
using Slipway.ControlPlane.Webhooks;

namespace Slipway.ControlPlane.Tests.Webhooks;

public sealed class CommitStatusReporterTests : IAsyncLifetime
{
    private const string Sha = "bffeb74224043ba2feb48d137756c8a9331c449a";
    private readonly ConcurrentQueue<(string Path, string Auth, JsonElement Body)> _calls = new();
    private readonly HttpClient _http = new();
    private WebApplication? _forge;
    private Uri _api = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _forge = builder.Build();
        _forge.Run(async context =>
        {
            var body = await JsonDocument.ParseAsync(context.Request.Body);
            _calls.Enqueue((context.Request.Path.Value!, context.Request.Headers.Authorization.ToString(), body.RootElement.Clone()));
            context.Response.StatusCode = StatusCodes.Status201Created;
        });
        await _forge.StartAsync();
        var address = _forge.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _api = new Uri(address + "/api/v1");
    }

    [Fact]
    public async Task Push_ThenOutcome_ReportsPendingThenSuccessOnThePushedSha()
    {
        var reporter = Reporter("gitea");

        await reporter.QueuedAsync("d-1", "hello", "gitea", "https://forge.example/acme/hello.git", Sha, CancellationToken.None);
        await reporter.EndedAsync(Ended("d-1", DeploymentStatus.Succeeded), CancellationToken.None);

        var calls = _calls.ToArray();
        Assert.Equal(2, calls.Length);
        Assert.All(calls, c => Assert.Equal($"/api/v1/repos/acme/hello/statuses/{Sha}", c.Path));
        Assert.All(calls, c => Assert.Equal("token status-token", c.Auth));
        Assert.Equal(["pending", "success"], calls.Select(c => c.Body.GetProperty("state").GetString()));
        Assert.Equal("slipway/hello", calls[1].Body.GetProperty("context").GetString());
    }

    [Fact]
    public async Task GitHubFailure_ReportsFailureWithBearerToken()
    {
        var reporter = Reporter("github");

        await reporter.QueuedAsync("d-2", "hello", "github", "https://forge.example/acme/hello.git", Sha, CancellationToken.None);
        await reporter.EndedAsync(Ended("d-2", DeploymentStatus.Failed), CancellationToken.None);

        var last = _calls.ToArray()[^1];
        Assert.Equal("Bearer status-token", last.Auth);
        Assert.Equal("failure", last.Body.GetProperty("state").GetString());
        Assert.Contains("build failed", last.Body.GetProperty("description").GetString());
    }

    [Fact]
    public async Task DeploymentNotFromAPush_OrForgeNotConfigured_ReportsNothing()
    {
        var reporter = Reporter("github");

        await reporter.QueuedAsync("d-3", "hello", "gitea", "https://forge.example/acme/hello.git", Sha, CancellationToken.None);
        await reporter.EndedAsync(Ended("d-3", DeploymentStatus.Succeeded), CancellationToken.None);
        await reporter.EndedAsync(Ended("d-4", DeploymentStatus.Succeeded), CancellationToken.None);

        Assert.Empty(_calls);
    }

    [Theory]
    [InlineData("https://forge.example/acme/hello.git", "acme/hello")]
    [InlineData("git@forge.example:acme/hello.git", "acme/hello")]
    [InlineData("ssh://git@forge.example:2222/acme/hello", "acme/hello")]
    [InlineData("/srv/git/acme/hello.git", "acme/hello")]
    public void RepositoryOf_SourceUrl_IsItsOwnerAndName(string url, string repository) =>
        Assert.Equal(repository, CommitStatusReporter.RepositoryOf(url));

    [Fact]
    public async Task Status_GoesToTheAppsSourceRepository_NotToOneAPayloadNames()
    {
        var reporter = Reporter("gitea");

        // The app deploys acme/hello; whatever repository a (signed) payload claims, only acme/hello is written to.
        await reporter.QueuedAsync("d-5", "hello", "gitea", "https://forge.example/acme/hello.git", Sha, CancellationToken.None);

        Assert.Equal($"/api/v1/repos/acme/hello/statuses/{Sha}", Assert.Single(_calls).Path);
    }

    [Fact]
    public void FromEnvironment_OnlyForgesWithUrlAndToken()
    {
        var env = new Dictionary<string, string>
        {
            ["SLIPWAY_GITEA_API_URL"] = "https://forge.example/api/v1",
            ["SLIPWAY_GITEA_TOKEN"] = "t",
            ["SLIPWAY_GITHUB_API_URL"] = "https://api.github.com",
        };

        var targets = CommitStatusTarget.FromEnvironment(n => env.GetValueOrDefault(n));

        Assert.Equal(["gitea"], targets.Keys);
        Assert.Equal("https://forge.example/api/v1/", targets["gitea"].ApiUrl.ToString());
        Assert.DoesNotContain("t }", targets["gitea"].ToString(), StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_forge is not null)
        {
            await _forge.DisposeAsync();
        }
    }

    private CommitStatusReporter Reporter(string forge) =>
        new(_http, new Dictionary<string, CommitStatusTarget> { [forge] = new(new Uri(_api + "/"), "status-token") }, NullLogger<CommitStatusReporter>.Instance);

    private static Deployment Ended(string id, DeploymentStatus status) => new()
    {
        Id = id, App = "hello", Env = "prod", Kind = DeploymentKind.Deploy, Status = status,
        Phase = status == DeploymentStatus.Succeeded ? DeploymentPhase.Done : DeploymentPhase.Build, CreatedAt = DateTimeOffset.UnixEpoch,
    };
}
