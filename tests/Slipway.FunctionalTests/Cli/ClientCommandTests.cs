using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.FunctionalTests.Cli;

/// <summary>The client commands run in-process against <see cref="FakeAdminServer"/>, asserting what a user sees and the exit code.</summary>
public sealed class ClientCommandTests : IDisposable
{
    private readonly string _home;

    public ClientCommandTests()
    {
        _home = Directory.CreateTempSubdirectory("slipway-cli-").FullName;
        File.WriteAllText(Path.Combine(_home, "admin.token"), FakeAdminServer.Token + "\n");
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private static Task<FakeAdminServer> DeployServerAsync(string finalStatus, Action<DeployRequest?>? onDeploy = null) =>
        FakeAdminServer.StartAsync(app =>
        {
            app.MapPost("/api/v1/apps/hello/deploy", async (HttpContext context) =>
            {
                onDeploy?.Invoke(await context.Request.ReadFromJsonAsync<DeployRequest>(FakeAdminServer.Json));
                return Results.Json(FakeAdminServer.Deployment("queued", "queued"), FakeAdminServer.Json, statusCode: 202);
            });
            app.MapGet("/api/v1/deployments/d1/events", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/event-stream";
                await FakeAdminServer.WriteEventAsync(context.Response, 1, "deploy.phase", new { phase = "build" });
                await FakeAdminServer.WriteEventAsync(context.Response, 2, "deploy.log", new { line = "Build succeeded." });
                await FakeAdminServer.WriteEventAsync(context.Response, 3, "deploy.phase", new { phase = "validate" });
                var terminal = finalStatus == "cancelled" ? "deploy.cancelled" : "deploy.done";
                await FakeAdminServer.WriteEventAsync(context.Response, 4, terminal, new { status = finalStatus });
            });
            app.MapGet("/api/v1/deployments/d1", () => Results.Json(FakeAdminServer.Deployment(finalStatus, "validate"), FakeAdminServer.Json));
        });

    private string[] Args(FakeAdminServer server, params string[] args) => [.. args, "--url", server.Url.ToString(), "--home", _home];

    [Fact]
    public async Task Deploy_Succeeded_PrintsPhasesLogLinesAndExitsZero()
    {
        await using var server = await DeployServerAsync("succeeded");

        var run = await CliRun.RunAsync(Args(server, "deploy", "hello"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("==> build", run.Stdout);
        Assert.Contains("  | Build succeeded.", run.Stdout);
        Assert.Contains("==> validate", run.Stdout);
        Assert.Contains("✓ succeeded in 4.2s: release r-20261122-abc, revision 0123456789ab, generation 3", run.Stdout);
    }

    [Theory]
    [InlineData("failed", "✗ failed in phase validate in 4.2s (exit 1): build step publish exited 1")]
    [InlineData("cancelled", "✗ cancelled in phase validate in 4.2s")]
    [InlineData("superseded", "✗ superseded in 4.2s")]
    public async Task Deploy_NotSucceeded_ExitsOneWithSummary(string status, string summary)
    {
        await using var server = await DeployServerAsync(status);

        var run = await CliRun.RunAsync(Args(server, "deploy", "hello"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(summary, run.Stdout);
    }

    [Fact]
    public async Task Deploy_Json_PrintsOnlyTheFinalDeploymentView()
    {
        await using var server = await DeployServerAsync("succeeded");

        var run = await CliRun.RunAsync(Args(server, "deploy", "hello", "--json"));

        Assert.Equal(0, run.ExitCode);
        var view = JsonSerializer.Deserialize<DeploymentView>(run.Stdout, FakeAdminServer.Json);
        Assert.Equal("succeeded", view!.Status);
        Assert.Equal(3, view.Generation);
    }

    [Fact]
    public async Task Deploy_FromRelativeDirectory_SendsAbsolutePath()
    {
        DeployRequest? request = null;
        await using var server = await DeployServerAsync("succeeded", r => request = r);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, _home);

        var run = await CliRun.RunAsync(Args(server, "deploy", "hello", "--from", relative, "--rev", "main", "--detach"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("d1", run.Stdout.Trim());
        Assert.Equal(_home, request!.From);
        Assert.Equal("main", request.Revision);
    }

    [Fact]
    public async Task Deploy_FromMissingDirectory_ExitsTwoBeforeCallingServer()
    {
        var called = false;
        await using var server = await DeployServerAsync("succeeded", _ => called = true);

        var run = await CliRun.RunAsync(Args(server, "deploy", "hello", "--from", Path.Combine(_home, "nope")));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no such directory", run.Stderr);
        Assert.False(called);
    }

    [SkippableFact]
    public async Task Deploy_NoToken_ExitsTwoAndSaysHowToGetOne()
    {
        await using var server = await DeployServerAsync("succeeded");
        File.Delete(Path.Combine(_home, "admin.token"));
        Skip.If(Environment.GetEnvironmentVariable("SLIPWAY_TOKEN") is not null, "SLIPWAY_TOKEN is set in this environment");

        var run = await CliRun.RunAsync(Args(server, "deploy", "hello"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no admin token", run.Stderr);
        Assert.Contains("slipway tokens create", run.Stderr);
    }

    [Fact]
    public async Task Deploy_ServerUnreachable_ExitsThreeWithHint()
    {
        var url = await AdminClientTests.DeadUrlAsync();

        var run = await CliRun.RunAsync("deploy", "hello", "--url", url.ToString(), "--home", _home);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains($"cannot reach Slipway at {url.ToString().TrimEnd('/')}: is `slipway up` running? set SLIPWAY_URL", run.Stderr);
    }

    [Fact]
    public async Task Deploy_UnknownApp_ExitsTwoWithServerMessage()
    {
        await using var server = await FakeAdminServer.StartAsync(app => app.MapPost("/api/v1/apps/{app}/deploy", () =>
            Results.Json(new ApiError { Error = "no app named 'nope'; register it with `slipway apps add`" }, FakeAdminServer.Json, statusCode: 404)));

        var run = await CliRun.RunAsync(Args(server, "deploy", "nope"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no app named 'nope'", run.Stderr);
    }

    [Fact]
    public async Task AppsAdd_RejectedSpec_ExitsTwoWithFileLineKeyLines()
    {
        var spec = Path.Combine(_home, "slipway.yml");
        File.WriteAllText(spec, "app: hello\nruntime: process\n");
        string? body = null;
        await using var server = await FakeAdminServer.StartAsync(app => app.MapPut("/api/v1/apps/{app}", async (HttpContext context, string app) =>
        {
            body = $"{app}:{await new StreamReader(context.Request.Body).ReadToEndAsync()}";
            return Results.Json(
                new ApiError
                {
                    Error = "the spec is invalid",
                    Details = [new ApiErrorDetail { Line = 2, Key = "run", Message = "runtime process needs run.command" }],
                },
                FakeAdminServer.Json,
                statusCode: 400);
        }));

        var run = await CliRun.RunAsync(Args(server, "apps", "add", spec));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("hello:app: hello\nruntime: process\n", body);
        Assert.Contains("error: the spec is invalid", run.Stderr);
        Assert.Contains($"{spec}:2 run: runtime process needs run.command", run.Stderr);
    }

    [Fact]
    public async Task Status_Apps_PrintsOneRowPerEnvironment()
    {
        await using var server = await FakeAdminServer.StartAsync(app => app.MapGet("/api/v1/apps", () => Results.Json(
            new[]
            {
                new AppView
                {
                    Name = "hello",
                    Environments =
                    [
                        new EnvironmentView { Env = "test", CurrentGeneration = 2, Release = "r2", Revision = "abcdef0123456789", Health = "healthy", ProcessState = "running", Restarts = 0 },
                        new EnvironmentView { Env = "prod" },
                    ],
                },
            },
            FakeAdminServer.Json)));

        var run = await CliRun.RunAsync(Args(server, "status"));

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("APP", lines[0]);
        Assert.Matches(@"^hello\s+test\s+2\s+r2\s+abcdef012345\s+healthy\s+running\s+0$", lines[1]);
        Assert.Matches(@"^hello\s+prod\s+-", lines[2]);
    }

    [Fact]
    public async Task TokensCreate_PrintsTokenAloneOnStdout()
    {
        await using var server = await FakeAdminServer.StartAsync(app => app.MapPost("/api/v1/tokens", () =>
            Results.Json(new TokenView { Id = "t1", Name = "ci", Token = "swt_secret" }, FakeAdminServer.Json)));

        var run = await CliRun.RunAsync(Args(server, "tokens", "create", "ci"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("swt_secret", run.Stdout.Trim());
        Assert.DoesNotContain("swt_secret", run.Stderr);
    }

    [Fact]
    public async Task Logs_PrintsCurrentOutput()
    {
        string? lines = null;
        await using var server = await FakeAdminServer.StartAsync(app => app.MapGet("/api/v1/apps/hello/logs", (HttpContext context) =>
        {
            lines = context.Request.Query["lines"];
            return Results.Text("listening on 4001\nGET /\n");
        }));

        var run = await CliRun.RunAsync(Args(server, "logs", "hello", "-n", "20"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("listening on 4001\nGET /\n", run.Stdout.Replace("\r\n", "\n"));
        Assert.Equal("20", lines);
    }

    [Fact]
    public async Task Rollback_SendsTargetReleaseAndFollowsToTheEnd()
    {
        RollbackRequest? request = null;
        await using var server = await FakeAdminServer.StartAsync(app =>
        {
            app.MapPost("/api/v1/apps/hello/rollback", async (HttpContext context) =>
            {
                request = await context.Request.ReadFromJsonAsync<RollbackRequest>(FakeAdminServer.Json);
                return Results.Json(FakeAdminServer.Deployment("queued", "queued") with { Kind = "rollback" }, FakeAdminServer.Json, statusCode: 202);
            });
            app.MapGet("/api/v1/deployments/d1/events", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/event-stream";
                await FakeAdminServer.WriteEventAsync(context.Response, 1, "deploy.phase", new { phase = "activate" });
                await FakeAdminServer.WriteEventAsync(context.Response, 2, "deploy.done", new { status = "succeeded" });
            });
            app.MapGet("/api/v1/deployments/d1", () => Results.Json(FakeAdminServer.Deployment("succeeded") with { Kind = "rollback" }, FakeAdminServer.Json));
        });

        var run = await CliRun.RunAsync(Args(server, "rollback", "hello", "--to", "r-1", "--env", "prod"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(new RollbackRequest { To = "r-1", Env = "prod" }, request);
        Assert.Contains("==> rollback hello to prod", run.Stdout);
        Assert.Contains("==> activate", run.Stdout);
    }

    [Fact]
    public async Task Cancel_PrintsTheDeploymentsNewStatus()
    {
        await using var server = await FakeAdminServer.StartAsync(app => app.MapPost("/api/v1/deployments/d1/cancel", () =>
            Results.Json(FakeAdminServer.Deployment("cancelled", "build"), FakeAdminServer.Json)));

        var run = await CliRun.RunAsync(Args(server, "cancel", "d1"));

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("d1: cancelled", run.Stdout);
    }

    [Fact]
    public async Task LogsFollow_NewOutputAppears_PrintsOnlyNewLinesUntilCancelled()
    {
        var reads = 0;
        await using var server = await FakeAdminServer.StartAsync(app => app.MapGet("/api/v1/apps/hello/logs", () =>
            Interlocked.Increment(ref reads) == 1 ? Results.Text("one\ntwo\n") : Results.Text("two\nthree\n")));
        var stdout = new StringWriter();
        using var ctrlC = new CancellationTokenSource();

        var running = CliRun.RunAsync(Args(server, "logs", "hello", "-f", "-n", "2"), stdout, ctrlC.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        // Reads are sequential (read, print, wait, read), so a third read means the second one's lines are out.
        while (Volatile.Read(ref reads) < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        ctrlC.Cancel();
        var run = await running;

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("one\ntwo\nthree\n", run.Stdout.Replace("\r\n", "\n"));
    }

    [Fact]
    public async Task AppsAdd_ValidSpec_PutsYamlUnderItsAppNameAndPrintsTheApp()
    {
        var spec = Path.Combine(_home, "slipway.yml");
        File.WriteAllText(spec, "# comment\napp: shop\nruntime: process\nrun: { command: ./server }\n");
        string? name = null;
        await using var server = await FakeAdminServer.StartAsync(app => app.MapPut("/api/v1/apps/{app}", (string app) =>
        {
            name = app;
            return Results.Json(new AppView { Name = app, Routes = ["shop.localhost/"], Environments = [new EnvironmentView { Env = "prod" }] }, FakeAdminServer.Json);
        }));

        var run = await CliRun.RunAsync(Args(server, "apps", "add", spec));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("shop", name);
        Assert.Contains("✓ registered shop (runtime process)", run.Stdout);
        Assert.Contains("shop.localhost/", run.Stdout);
    }

    [Fact]
    public async Task AppsAdd_SpecWithoutAppKey_ExitsTwoNamingTheKey()
    {
        var spec = Path.Combine(_home, "slipway.yml");
        File.WriteAllText(spec, "runtime: process\n");

        var run = await CliRun.RunAsync("apps", "add", spec, "--url", "http://127.0.0.1:1", "--home", _home);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("missing key 'app'", run.Stderr);
    }

    [SkippableFact]
    public async Task Status_RevokedToken_ExitsTwoNamingWhereTheTokenCameFrom()
    {
        File.WriteAllText(Path.Combine(_home, "admin.token"), "revoked-token");
        Skip.If(Environment.GetEnvironmentVariable("SLIPWAY_TOKEN") is not null, "SLIPWAY_TOKEN is set in this environment");
        await using var server = await FakeAdminServer.StartAsync(app => app.MapGet("/api/v1/apps", () => Results.Json(Array.Empty<AppView>())));

        var run = await CliRun.RunAsync(Args(server, "status"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"refused the token from {Path.Combine(_home, "admin.token")}", run.Stderr);
        Assert.DoesNotContain("revoked-token", run.Stderr);
    }
}
