using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Auth;
using Slipway.ControlPlane.Deployments;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Hosting;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Secrets;
using Slipway.ControlPlane.Store;
using Slipway.ControlPlane.Webhooks;
using Slipway.Edge.Observability;

namespace Slipway.ControlPlane.Api;

/// <summary>The admin API of docs/admin-api.md, mapped onto minimal-API routes.</summary>
internal static class AdminApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>
    /// How long a write (or <c>/readyz</c>) that reaches a self-deploy candidate before it leads waits for it to take
    /// over and recover; the handoff itself takes well under a second (docs/self-deploy.md).
    /// </summary>
    public static readonly TimeSpan HandoffWait = TimeSpan.FromSeconds(20);

    public sealed record Services(
        SlipwayStore Store,
        AppRequests Apps,
        AppQueries Queries,
        DeploymentService Deployments,
        EventHub Events,
        AdminTokens Tokens,
        IEdgeGateway Edge,
        Readiness Readiness,
        PrometheusExporter Metrics,
        string Manifest,
        string LogsRoot,
        string ReleasesRoot,
        WebhookReceiver Webhooks,
        WebhookSecrets WebhookSecrets)
    {
        /// <summary>App secrets; also masks their values in what the API serves (process output, log tails).</summary>
        public AppSecrets? Secrets { get; init; }

        /// <summary>The clock that bounds how long a request waits for a self-deploy candidate to become ready.</summary>
        public TimeProvider Time { get; init; } = TimeProvider.System;

        public string Redact(string text) => Secrets?.RedactAll(text) ?? text;
    }

    public static void Map(WebApplication app, Services s)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                // Webhooks carry no bearer token: each delivery is authenticated by its signature instead.
                if (context.Request.Path.StartsWithSegments("/api/v1") && !context.Request.Path.StartsWithSegments("/api/v1/webhooks"))
                {
                    var token = s.Tokens.Authenticate(context.Request.Headers.Authorization);
                    if (token is null)
                    {
                        await Error(context, 401, "Missing or invalid token: send `Authorization: Bearer TOKEN`. The CLI reads SLIPWAY_TOKEN or $SLIPWAY_HOME/admin.token; `slipway tokens create NAME` makes more.");
                        return;
                    }

                    if (!token.MayWrite && !IsRead(context.Request))
                    {
                        await Error(context, 403, ViewerRefusal(token));
                        return;
                    }
                }

                Readiness.WritePermit? permit = null;
                if (context.Request.Path.StartsWithSegments("/api/v1") && !IsRead(context.Request))
                {
                    (permit, var successor) = s.Readiness.EnterWrite();
                    if (successor is not null)
                    {
                        // A self-deploy is handing the lease to the new instance: it takes this write, once it leads.
                        await HandoffForwarder.ForwardAsync(context, successor, context.RequestAborted);
                        return;
                    }

                    context.Features.Set(permit);
                }

                using (permit)
                {
                    if (permit is not null && !s.Readiness.Ready
                        && !await s.Readiness.WaitUntilReadyAsync(HandoffWait, s.Time, context.RequestAborted))
                    {
                        // Reads are served from the store by any instance; writes only by the lease holder once it has recovered.
                        await Error(context, 503, s.Readiness.Follower
                            ? "follower: another control plane holds the store's lease and takes the writes; retry against it, or wait for this instance to take over."
                            : "not ready: the control plane is still recovering after a start; retry in a moment.");
                        return;
                    }

                    await next(context);
                }
            }
            catch (ApiProblem e)
            {
                await Error(context, e.Status, e.Message, e.Details);
            }
            catch (RequestRefusedException e)
            {
                var problem = ApiProblem.From(e);
                await Error(context, problem.Status, problem.Message, problem.Details);
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.NotFound)
            {
                await Error(context, 404, e.Message);
            }
            catch (StoreException e) when (e.Code is StoreErrorCode.InvalidTransition or StoreErrorCode.Conflict)
            {
                await Error(context, 409, e.Message);
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.NotLeader)
            {
                await Error(context, 503, "follower: " + e.Message);
            }
            catch (EdgeUnavailableException e)
            {
                await Error(context, 502, e.Message);
            }
            catch (DockerException e)
            {
                // Unreachable or refusing, the message says which; either way the fault is behind the control plane.
                await Error(context, 502, e.Message);
            }
        });

        app.MapGet("/healthz", () => s.Readiness.Draining ? Results.Text("draining\n", statusCode: 503) : Results.Text("ok\n"));
        // A candidate the admin listener already routes to answers once it has taken over (docs/self-deploy.md): readiness seen
        // through the admin listener does not blink while the new instance runs its start-up recovery.
        app.MapGet("/readyz", async (CancellationToken ct) =>
            s.Readiness.ReadyForProbe || await s.Readiness.WaitUntilReadyAsync(HandoffWait, s.Time, ct)
                ? Results.Text("ready\n")
                : Results.Text("not ready\n", statusCode: 503));
        app.MapGet("/version", () => Results.Text(s.Manifest, "application/json"));
        app.MapGet("/metrics", () => Results.Text(s.Metrics.Collect(), PrometheusExporter.ContentType));

        var api = app.MapGroup("/api/v1");
        MapApps(api, s);
        MapDeployments(api, s);
        MapTokens(api, s);
        MapWebhooks(api, s);
        SecretsApi.Map(api, s);
    }

    private static void MapWebhooks(RouteGroupBuilder api, Services s)
    {
        // The app in the path is what a forge's webhook should use: only that app's secret is tried.
        api.MapPost("/webhooks/{forge}/{app}", (string forge, string app, HttpContext context, CancellationToken ct) => ReceiveWebhookAsync(forge, app, context, s, ct));
        api.MapPost("/webhooks/{forge}", (string forge, HttpContext context, CancellationToken ct) => ReceiveWebhookAsync(forge, null, context, s, ct));

        api.MapPut("/apps/{app}/webhook-secret", async (string app, HttpRequest request, CancellationToken ct) =>
        {
            s.Queries.Spec(app);
            var body = await ReadJsonAsync<WebhookSecretRequest>(request, ct);
            if (WebhookSecrets.Problem(body?.Secret) is { } problem)
            {
                throw ApiProblem.BadRequest(problem);
            }

            s.WebhookSecrets.Set(app, body!.Secret!);
            return Results.NoContent();
        });
    }

    private static void MapApps(RouteGroupBuilder api, Services s)
    {
        api.MapGet("/apps", async (CancellationToken ct) =>
        {
            var views = new List<AppView>();
            foreach (var record in s.Store.ListApps())
            {
                views.Add(await s.Queries.ViewAsync(record, ct));
            }

            return Results.Json(views, Json);
        });

        api.MapPut("/apps/{app}", async (string app, HttpRequest request, CancellationToken ct) =>
        {
            var body = await ReadBodyAsync(request, 1024 * 1024, ct);
            var json = request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
            s.Apps.Register(app, body, json);
            return Results.Json(await s.Queries.ViewAsync(s.Store.GetApp(app)!, ct), Json);
        });

        api.MapGet("/apps/{app}", async (string app, CancellationToken ct) =>
        {
            var record = s.Store.GetApp(app) ?? throw ApiProblem.NotFound($"App '{app}' is not registered.");
            return Results.Json(await s.Queries.ViewAsync(record, ct), Json);
        });

        api.MapDelete("/apps/{app}", async (string app, CancellationToken ct) =>
        {
            await s.Apps.RemoveAsync(app, s.ReleasesRoot, ct);
            return Results.NoContent();
        });

        api.MapPost("/apps/{app}/deploy", async (string app, HttpRequest request, CancellationToken ct) =>
        {
            var body = await ReadJsonAsync<DeployRequest>(request, ct) ?? new DeployRequest();
            var (deployment, coalesced) = s.Apps.Deploy(app, body);
            return await AnswerAsync(request, deployment, coalesced, s, ct);
        });

        api.MapGet("/apps/{app}/rollout", async (string app, string? env, CancellationToken ct) =>
            Results.Json(await s.Queries.RolloutAsync(app, env, ct), Json));

        api.MapPost("/apps/{app}/rollout/{command}", async (string app, string command, HttpRequest request, CancellationToken ct) =>
        {
            var body = await ReadJsonAsync<RolloutCommandRequest>(request, ct) ?? new RolloutCommandRequest();
            return Results.Json(Views.Of(s.Apps.CommandRollout(app, command, body.Env)), Json, statusCode: 202);
        });

        api.MapPost("/apps/{app}/rollback", async (string app, HttpRequest request, CancellationToken ct) =>
        {
            var body = await ReadJsonAsync<RollbackRequest>(request, ct) ?? new RollbackRequest();
            var (deployment, coalesced) = s.Apps.Rollback(app, body);
            return await AnswerAsync(request, deployment, coalesced, s, ct);
        });

        api.MapPost("/apps/{app}/promote", async (string app, HttpRequest request, CancellationToken ct) =>
        {
            var body = await ReadJsonAsync<PromoteRequest>(request, ct) ?? new PromoteRequest();
            var (deployment, coalesced) = s.Apps.Promote(app, body);
            return await AnswerAsync(request, deployment, coalesced, s, ct);
        });

        api.MapGet("/apps/{app}/deployments", (string app, int? limit) =>
        {
            s.Queries.Spec(app);
            return Results.Json(s.Store.ListDeployments(app, Math.Clamp(limit ?? 20, 1, 500)).Select(d => Views.Of(d, s.Store)), Json);
        });

        api.MapGet("/apps/{app}/releases", (string app) => Results.Json(s.Queries.Releases(app), Json));

        api.MapGet("/apps/{app}/logs", async (string app, string? env, int? lines, CancellationToken ct) =>
        {
            var spec = s.Queries.Spec(app);
            var environment = env ?? spec.Environments[0];
            var current = s.Store.GetPointers(app, environment).Current;
            if (current is null || s.Store.GetGeneration(app, environment, current.Value)?.ProcessId is not { } processId)
            {
                throw ApiProblem.NotFound($"{app}/{environment} has no current generation yet: deploy it first.");
            }

            var text = await s.Edge.TailProcessAsync(processId, Math.Clamp(lines ?? 100, 1, 10_000), ct);
            // The edge's relay already masked the app's secrets; this also covers any other app's and a secret set since.
            return Results.Text(s.Redact(text), "text/plain; charset=utf-8");
        });
    }

    private static void MapDeployments(RouteGroupBuilder api, Services s)
    {
        api.MapGet("/deployments/{id}", (string id) =>
            Results.Json(Views.Of(Deployment(s, id), s.Store), Json));

        api.MapPost("/deployments/{id}/cancel", (string id) =>
        {
            Deployment(s, id);
            return Results.Json(Views.Of(s.Deployments.Cancel(id)!, s.Store), Json);
        });

        api.MapGet("/deployments/{id}/events", async (string id, HttpContext context, CancellationToken ct) =>
        {
            Deployment(s, id);
            await EventStream.WriteAsync(context, s.Store, s.Events, id, replayAllByDefault: true, Json, ct);
        });

        api.MapGet("/events", async (HttpContext context, CancellationToken ct) =>
            await EventStream.WriteAsync(context, s.Store, s.Events, null, replayAllByDefault: false, Json, ct));
    }

    private static void MapTokens(RouteGroupBuilder api, Services s)
    {
        api.MapGet("/tokens", () => Results.Json(s.Store.ListTokens().Select(t => View(t, null)), Json));

        api.MapPost("/tokens", async (HttpRequest request, CancellationToken ct) =>
        {
            var body = await ReadJsonAsync<TokenRequest>(request, ct);
            if (body?.Name is not { Length: > 0 and <= 100 } name)
            {
                throw ApiProblem.BadRequest("name: give the token a name of 1 to 100 characters, e.g. {\"name\": \"ci\"}.");
            }

            var role = body.Role is null ? TokenRole.Admin
                : SlipwayStore.ParseRole(body.Role) ?? throw ApiProblem.BadRequest($"role: '{body.Role}' is not a role; use \"admin\" (may change things) or \"viewer\" (reads only).");
            var created = s.Store.CreateToken(name, role);
            return Results.Json(View(created.Token, created.Secret), Json, statusCode: 201);
        });

        api.MapDelete("/tokens/{id}", (string id) =>
        {
            s.Store.RevokeToken(id);
            return Results.NoContent();
        });
    }

    private static async Task<IResult> AnswerAsync(HttpRequest request, Deployment deployment, bool coalesced, Services s, CancellationToken ct)
    {
        if (!string.Equals(request.Query["wait"], "true", StringComparison.OrdinalIgnoreCase))
        {
            return Results.Json(Views.Of(deployment, s.Store, coalesced), Json, statusCode: coalesced ? 200 : 202);
        }

        Readiness.WritePermit.EndEarly(request.HttpContext);
        var ended = await s.Deployments.WaitAsync(deployment.Id, ct);
        var tail = s.Redact(DeployLog.ReadTail(Path.Combine(s.LogsRoot, "deployments", ended.Id + ".log")));
        var status = ended.Status switch
        {
            DeploymentStatus.Succeeded => 200,
            DeploymentStatus.Failed => 500,
            _ => 409,
        };
        return Results.Json(Views.Outcome(ended, tail, s.Store.GetPromotionAfter(ended.Id)?.DeploymentId), Json, statusCode: status);
    }

    private static Deployment Deployment(Services s, string id) =>
        s.Store.GetDeployment(id) ?? throw ApiProblem.NotFound($"Deployment '{id}' is not known.");

    private static TokenView View(TokenRecord t, string? secret) => new()
    {
        Id = t.Id, Name = t.Name, Role = SlipwayStore.ToText(t.Role), CreatedAt = t.CreatedAt, LastUsedAt = t.LastUsedAt, RevokedAt = t.RevokedAt, Token = secret,
    };

    internal static async Task<T?> ReadJsonAsync<T>(HttpRequest request, CancellationToken ct, int limit = 64 * 1024)
        where T : class
    {
        var body = await ReadBodyAsync(request, limit, ct);
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body, Json);
        }
        catch (JsonException e)
        {
            throw ApiProblem.BadRequest($"The request body is not valid JSON{(e.Path is { Length: > 1 } path ? $" at {path}" : "")}: {e.Message}");
        }
    }

    private static async Task<IResult> ReceiveWebhookAsync(string forge, string? app, HttpContext context, Services s, CancellationToken ct)
    {
        var kind = ForgeKind.Named(forge) ?? throw ApiProblem.NotFound($"No webhook for '{forge}': use /api/v1/webhooks/forgejo/APP, /gitea/APP or /github/APP.");
        var result = await s.Webhooks.ReceiveAsync(kind, app, context.Request.Headers, context.Request.Body, context.Request.ContentLength, ct);
        if (result.Replayed)
        {
            context.Response.Headers["X-Slipway-Replayed"] = "true";
        }

        if (result.Status == 429)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        return Results.Text(result.Json, "application/json", Encoding.UTF8, result.Status);
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            throw new ApiProblem(413, $"The request body is larger than {limit / 1024} KiB.");
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[limit + 1];
        var read = 0;
        int n;
        while (read <= limit && (n = await reader.ReadAsync(buffer.AsMemory(read, limit + 1 - read), ct)) > 0)
        {
            read += n;
        }

        return read > limit ? throw new ApiProblem(413, $"The request body is larger than {limit / 1024} KiB.") : new string(buffer, 0, read);
    }

    private static Task Error(HttpContext context, int status, string message, IReadOnlyList<ApiErrorDetail>? details = null)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ApiError { Error = message, Details = details }, Json);
    }

    /// <summary>GET and HEAD only read; everything else changes something and needs an admin.</summary>
    internal static bool IsRead(HttpRequest request) => HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);

    internal static string ViewerRefusal(TokenRecord token) =>
        $"Token '{token.Name}' has the viewer role: it may read but not change anything. Use an admin token (`slipway tokens create NAME`).";

    private sealed record TokenRequest(string? Name, string? Role);
}
