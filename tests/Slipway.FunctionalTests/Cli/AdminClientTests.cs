using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Slipway.Client;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.FunctionalTests.Cli;

public sealed class AdminClientTests
{
    private static AdminClient ClientFor(Uri url, string? token = FakeAdminServer.Token) =>
        new(new AdminEndpoint { BaseUrl = url, Home = Path.GetTempPath(), Token = token, TokenSource = "test" })
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(10),
            MaxReconnectAttempts = 3,
        };

    [Fact]
    public async Task FollowDeploymentAsync_StreamEndsBeforeTerminalEvent_ReconnectsWithLastEventId()
    {
        var lastEventIds = new ConcurrentQueue<string>();
        var connections = 0;
        await using var server = await FakeAdminServer.StartAsync(app =>
        {
            app.MapGet("/api/v1/deployments/d1/events", async (HttpContext context) =>
            {
                lastEventIds.Enqueue(context.Request.Headers["Last-Event-ID"].ToString());
                context.Response.ContentType = "text/event-stream";
                if (Interlocked.Increment(ref connections) == 1)
                {
                    await FakeAdminServer.WriteEventAsync(context.Response, 1, "deploy.phase", new { phase = "build" });
                    await FakeAdminServer.WriteEventAsync(context.Response, 2, "deploy.log", new { line = "Restoring packages" });
                    return; // dropped before the terminal event
                }

                await FakeAdminServer.WriteEventAsync(context.Response, 3, "deploy.phase", new { phase = "activate" });
                await FakeAdminServer.WriteEventAsync(context.Response, 4, "deploy.done", new { status = "succeeded" });
            });
            app.MapGet("/api/v1/deployments/d1", () => Results.Json(FakeAdminServer.Deployment("running", "build"), FakeAdminServer.Json));
        });
        using var client = ClientFor(server.Url);

        var events = new List<EventView>();
        await foreach (var e in client.FollowDeploymentAsync("d1", CancellationToken.None))
        {
            events.Add(e);
        }

        Assert.Equal([1L, 2L, 3L, 4L], events.Select(e => e.Seq));
        Assert.Equal("deploy.done", events[^1].Type);
        Assert.Equal(["", "2"], lastEventIds);
        Assert.Equal("build", events[0].Data!.Value.GetProperty("phase").GetString());
    }

    [Fact]
    public async Task FollowDeploymentAsync_ConnectionAbortedMidEvent_DropsHalfEventAndResumes()
    {
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lastEventIds = new ConcurrentQueue<string>();
        var connections = 0;
        await using var server = await FakeAdminServer.StartAsync(app =>
        {
            app.MapGet("/api/v1/deployments/d1/events", async (HttpContext context) =>
            {
                lastEventIds.Enqueue(context.Request.Headers["Last-Event-ID"].ToString());
                context.Response.ContentType = "text/event-stream";
                if (Interlocked.Increment(ref connections) == 1)
                {
                    await FakeAdminServer.WriteEventAsync(context.Response, 1, "deploy.phase", new { phase = "build" });
                    // A reset discards bytes the client has not read yet, so abort only once event 1 arrived.
                    await firstSeen.Task.WaitAsync(TimeSpan.FromSeconds(30));
                    await context.Response.WriteAsync("id: 2\nevent: deploy.log\ndata: {\"type\":\"deploy.lo");
                    await context.Response.Body.FlushAsync();
                    context.Abort();
                    return;
                }

                await FakeAdminServer.WriteEventAsync(context.Response, 2, "deploy.log", new { line = "whole line" });
                await FakeAdminServer.WriteEventAsync(context.Response, 3, "deploy.cancelled", new { status = "cancelled" });
            });
            app.MapGet("/api/v1/deployments/d1", () => Results.Json(FakeAdminServer.Deployment("running", "build"), FakeAdminServer.Json));
        });
        using var client = ClientFor(server.Url);

        var events = new List<EventView>();
        await foreach (var e in client.FollowDeploymentAsync("d1", CancellationToken.None))
        {
            events.Add(e);
            firstSeen.TrySetResult();
        }

        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Seq));
        Assert.Equal("whole line", events[1].Data!.Value.GetProperty("line").GetString());
        Assert.Equal(["", "1"], lastEventIds);
    }

    [Fact]
    public async Task FollowDeploymentAsync_StreamEndsAndDeploymentAlreadyFinished_StopsWithoutReconnecting()
    {
        var connections = 0;
        await using var server = await FakeAdminServer.StartAsync(app =>
        {
            app.MapGet("/api/v1/deployments/d1/events", async (HttpContext context) =>
            {
                Interlocked.Increment(ref connections);
                context.Response.ContentType = "text/event-stream";
                await FakeAdminServer.WriteEventAsync(context.Response, 1, "deploy.phase", new { phase = "build" });
            });
            app.MapGet("/api/v1/deployments/d1", () => Results.Json(FakeAdminServer.Deployment("failed", "build"), FakeAdminServer.Json));
        });
        using var client = ClientFor(server.Url);

        var events = new List<EventView>();
        await foreach (var e in client.FollowDeploymentAsync("d1", CancellationToken.None))
        {
            events.Add(e);
        }

        Assert.Single(events);
        Assert.Equal(1, connections);
    }

    [Fact]
    public async Task ListAppsAsync_NothingListening_ThrowsServerUnreachable()
    {
        var url = await DeadUrlAsync();
        using var client = ClientFor(url);

        var ex = await Assert.ThrowsAsync<ServerUnreachableException>(() => client.ListAppsAsync(CancellationToken.None));

        Assert.Contains($"cannot reach Slipway at {url.ToString().TrimEnd('/')}", ex.Message);
        Assert.Contains("SLIPWAY_URL", ex.Message);
    }

    [Fact]
    public async Task ListAppsAsync_WrongToken_ThrowsUnauthorizedWithoutEchoingToken()
    {
        await using var server = await FakeAdminServer.StartAsync(app => app.MapGet("/api/v1/apps", () => Results.Json(Array.Empty<AppView>())));
        using var client = ClientFor(server.Url, token: "not-the-token");

        var ex = await Assert.ThrowsAsync<AdminApiException>(() => client.ListAppsAsync(CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, ex.Status);
        Assert.DoesNotContain("not-the-token", ex.Message);
    }

    [Fact]
    public async Task PutAppAsync_RejectedSpec_CarriesApiErrorDetails()
    {
        string? contentType = null;
        await using var server = await FakeAdminServer.StartAsync(app => app.MapPut("/api/v1/apps/{app}", (HttpContext context) =>
        {
            contentType = context.Request.ContentType;
            return Results.Json(
                new ApiError
                {
                    Error = "the spec is invalid",
                    Details = [new ApiErrorDetail { File = "slipway.yml", Line = 4, Key = "run.command", Message = "required for runtime process" }],
                },
                FakeAdminServer.Json,
                statusCode: 400);
        }));
        using var client = ClientFor(server.Url);

        var ex = await Assert.ThrowsAsync<AdminApiException>(() => client.PutAppAsync("hello", "app: hello\n", isJson: false, CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, ex.Status);
        Assert.Equal("the spec is invalid", ex.Message);
        Assert.Equal("run.command", Assert.Single(ex.Error!.Details!).Key);
        Assert.StartsWith("application/yaml", contentType);
    }

    [Fact]
    public async Task DeployAndWaitAsync_FailedDeployment_ReturnsOutcomeFrom500()
    {
        await using var server = await FakeAdminServer.StartAsync(app => app.MapPost("/api/v1/apps/{app}/deploy", (HttpContext context) =>
            context.Request.Query["wait"] == "true"
                ? Results.Json(new DeployOutcome { Id = "d1", Status = "failed", ExitCode = 1, ErrorSummary = "boom", LogTail = "boom\n" }, FakeAdminServer.Json, statusCode: 500)
                : Results.BadRequest()));
        using var client = ClientFor(server.Url);

        var outcome = await client.DeployAndWaitAsync("hello", new DeployRequest(), CancellationToken.None);

        Assert.Equal("failed", outcome.Status);
        Assert.Equal("boom", outcome.ErrorSummary);
    }

    [Fact]
    public async Task DeployAsync_SendsRequestBodyAsCamelCaseJson()
    {
        DeployRequest? received = null;
        await using var server = await FakeAdminServer.StartAsync(app => app.MapPost("/api/v1/apps/{app}/deploy", async (HttpContext context) =>
        {
            received = await context.Request.ReadFromJsonAsync<DeployRequest>(FakeAdminServer.Json);
            return Results.Json(FakeAdminServer.Deployment("queued", "queued"), FakeAdminServer.Json, statusCode: 202);
        }));
        using var client = ClientFor(server.Url);

        var view = await client.DeployAsync("hello", new DeployRequest { From = "/src/hello", Revision = "main", Env = "prod" }, CancellationToken.None);

        Assert.Equal("queued", view.Status);
        Assert.Equal(new DeployRequest { From = "/src/hello", Revision = "main", Env = "prod" }, received);
    }

    /// <summary>A loopback port that was just free: bound, read, released.</summary>
    internal static Task<Uri> DeadUrlAsync()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return Task.FromResult(new Uri($"http://127.0.0.1:{port}/"));
    }
}
