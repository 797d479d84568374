using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Pipeline.Source;
using Slipway.ControlPlane.Processes;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.ControlPlane.Tests.Store;

namespace Slipway.ControlPlane.Tests.Pipeline.Source;

public sealed class GitSourceTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _bare;
    private readonly string _work;
    private readonly DeployLog _log;

    public GitSourceTests()
    {
        _bare = Path.Combine(_dir.Path, "acme", "hello.git");
        _work = Path.Combine(_dir.Path, "work");
        Directory.CreateDirectory(_bare);
        GitFixture.Run(_bare, "init", "-q", "--bare");
        GitFixture.Run(_dir.Path, "clone", "-q", _bare, _work);
        GitFixture.Run(_work, "checkout", "-q", "-B", "main");
        _log = new DeployLog(Path.Combine(_dir.Path, "deploy.log"));
    }

    [Fact]
    public async Task Fetch_NoRevision_ExportsTheBranchHeadAndRecordsTheBranch()
    {
        Commit("v1");
        var head = Commit("v2");
        Push("main");

        var result = await FetchAsync(null, "ws1");

        Assert.Equal(head, result.Revision);
        Assert.Equal("main", result.Ref);
        Assert.False(result.Dirty);
        Assert.Equal("v2\n", File.ReadAllText(Path.Combine(_dir.Path, "ws1", "content.txt")));
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "ws1", ".git")));
    }

    [Fact]
    public async Task Fetch_ShortShaFullShaOrTag_ExportsExactlyThatCommit()
    {
        var v1 = Commit("v1");
        GitFixture.Run(_work, "tag", "-a", "v1.0", "-m", "release one");
        var v2 = Commit("v2");
        Commit("v3");
        Push("main");

        var byShort = await FetchAsync(v1[..7], "short");
        var byFull = await FetchAsync(v2, "full");
        var byTag = await FetchAsync("v1.0", "tag");

        Assert.Equal(v1, byShort.Revision);
        Assert.Equal("v1\n", File.ReadAllText(Path.Combine(_dir.Path, "short", "content.txt")));
        Assert.Equal(v2, byFull.Revision);
        Assert.Null(byFull.Ref);
        Assert.Equal("v2\n", File.ReadAllText(Path.Combine(_dir.Path, "full", "content.txt")));
        Assert.Equal(v1, byTag.Revision);
        Assert.Equal("v1.0", byTag.Ref);
    }

    [Fact]
    public async Task Fetch_UnknownRevision_FailsInSourceNamingIt()
    {
        Commit("v1");
        Push("main");

        var e = await Assert.ThrowsAsync<DeployFailedException>(() => FetchAsync("deadbeef", "ws"));

        Assert.Equal(DeploymentPhase.Source, e.Phase);
        Assert.Contains("revision 'deadbeef' does not exist", e.Summary);
    }

    [Fact]
    public async Task Fetch_BranchDeletedOnTheForge_IsPrunedFromTheMirror()
    {
        Commit("v1");
        Push("main");
        var feature = Commit("feature", "feature");
        Push("feature");
        Assert.Equal(feature, (await FetchAsync("feature", "before")).Revision);

        GitFixture.Run(_work, "push", "-q", "origin", "--delete", "feature");
        var e = await Assert.ThrowsAsync<DeployFailedException>(() => FetchAsync("feature", "after"));

        Assert.Contains("revision 'feature' does not exist", e.Summary);
    }

    [Fact]
    public async Task Fetch_RepositoryMissing_FailsWithGitsReason()
    {
        var source = new GitSource(new GitMirror(new ProcessGroupRunner(), Path.Combine(_dir.Path, "mirrors"), TimeSpan.FromSeconds(30)), _ => null);

        var e = await Assert.ThrowsAsync<DeployFailedException>(() =>
            source.FetchAsync("hello", new SourceSpec { Git = Path.Combine(_dir.Path, "nowhere.git") }, null, Path.Combine(_dir.Path, "ws"), _log, CancellationToken.None));

        Assert.Equal(DeploymentPhase.Source, e.Phase);
        Assert.Contains("could not clone", e.Summary);
        Assert.Contains("does not exist", e.Summary);
    }

    [Fact]
    public async Task Fetch_PrivateRepository_SendsCredentialsThroughAskPassAndNeverShowsThem()
    {
        const string password = "tok-very-secret-0123456789";
        var seen = new ConcurrentQueue<string>();
        await using var forge = await StartForgeAsync(seen);
        var url = $"http://127.0.0.1:{forge.Port}/acme/private.git";
        var source = new GitSource(
            new GitMirror(new ProcessGroupRunner(), Path.Combine(_dir.Path, "mirrors"), TimeSpan.FromSeconds(30)),
            _ => new GitCredentials("deployer", password));

        var e = await Assert.ThrowsAsync<DeployFailedException>(() =>
            source.FetchAsync("private", new SourceSpec { Git = url }, null, Path.Combine(_dir.Path, "ws"), _log, CancellationToken.None));

        Assert.Contains("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("deployer:" + password)), seen);
        Assert.Contains("could not clone", e.Summary);
        Assert.DoesNotContain(password, e.Summary);
        Assert.DoesNotContain(password, File.ReadAllText(_log.Path));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_dir.Path, "mirrors")));
    }

    [Fact]
    public async Task Fetch_UrlWithUserInfo_IsMaskedInLogAndError()
    {
        var seen = new ConcurrentQueue<string>();
        await using var forge = await StartForgeAsync(seen);
        var source = new GitSource(new GitMirror(new ProcessGroupRunner(), Path.Combine(_dir.Path, "mirrors"), TimeSpan.FromSeconds(30)), _ => null);

        var e = await Assert.ThrowsAsync<DeployFailedException>(() => source.FetchAsync(
            "private", new SourceSpec { Git = $"http://deployer:pw-in-url-42@127.0.0.1:{forge.Port}/acme/private.git" }, null,
            Path.Combine(_dir.Path, "ws"), _log, CancellationToken.None));

        Assert.DoesNotContain("pw-in-url-42", e.Summary);
        Assert.DoesNotContain("pw-in-url-42", File.ReadAllText(_log.Path));
        Assert.Contains("http://***@127.0.0.1", File.ReadAllText(_log.Path));
    }

    public void Dispose()
    {
        _log.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Fetch_ExtTransport_IsRefusedAndItsCommandNeverRuns()
    {
        var marker = Path.Combine(_dir.Path, "ext-ran");
        var source = new GitSource(new GitMirror(new ProcessGroupRunner(), Path.Combine(_dir.Path, "mirrors"), TimeSpan.FromSeconds(30)), _ => null);

        var e = await Assert.ThrowsAsync<DeployFailedException>(() =>
            source.FetchAsync("hello", new SourceSpec { Git = $"ext::sh -c touch% {marker}" }, null, Path.Combine(_dir.Path, "ws"), _log, CancellationToken.None));

        Assert.Equal(DeploymentPhase.Source, e.Phase);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task RemoteTip_BranchAndAnnotatedTag_AreWhatTheRepositoryPointsToNow()
    {
        var v1 = Commit("v1");
        GitFixture.Run(_work, "-c", "user.name=t", "-c", "user.email=t@t", "tag", "-a", "-m", "release", "v1");
        Push("main");
        var v2 = Commit("v2");
        Push("main");
        var mirror = new GitMirror(new ProcessGroupRunner(), Path.Combine(_dir.Path, "mirrors"), TimeSpan.FromSeconds(30));

        var branch = await mirror.RemoteTipAsync(_bare, "refs/heads/main", null, CancellationToken.None);
        var tag = await mirror.RemoteTipAsync(_bare, "refs/tags/v1", null, CancellationToken.None);
        var missing = await mirror.RemoteTipAsync(_bare, "refs/heads/gone", null, CancellationToken.None);
        var unreachable = await mirror.RemoteTipAsync(Path.Combine(_dir.Path, "nowhere.git"), "refs/heads/main", null, CancellationToken.None);

        Assert.Equal([v2], branch);
        Assert.NotNull(tag);
        Assert.Contains(v1, tag);
        Assert.Equal(2, tag.Count);
        Assert.Empty(missing!);
        Assert.Null(unreachable);
    }

    private Task<SourceResult> FetchAsync(string? revision, string workspace)
    {
        var source = new GitSource(new GitMirror(new ProcessGroupRunner(), Path.Combine(_dir.Path, "mirrors"), TimeSpan.FromSeconds(30)), _ => null);
        return source.FetchAsync("hello", new SourceSpec { Git = _bare, Branch = "main" }, revision, Path.Combine(_dir.Path, workspace), _log, CancellationToken.None);
    }

    private string Commit(string content, string branch = "main")
    {
        GitFixture.Run(_work, "checkout", "-q", "-B", branch);
        File.WriteAllText(Path.Combine(_work, "content.txt"), content + "\n");
        return GitFixture.CommitAll(_work, content);
    }

    private void Push(string branch) => GitFixture.Run(_work, "push", "-q", "--tags", "origin", branch);

    /// <summary>A stand-in forge that asks for a login (HTTP Basic) and records every Authorization header it gets.</summary>
    private static async Task<Forge> StartForgeAsync(ConcurrentQueue<string> seen)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(context =>
        {
            if (context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth)
            {
                seen.Enqueue(auth);
                context.Response.StatusCode = 403;
                return Task.CompletedTask;
            }

            context.Response.Headers.WWWAuthenticate = "Basic realm=\"forge\"";
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return new Forge(app, port);
    }

    private sealed record Forge(WebApplication App, int Port) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }
}
