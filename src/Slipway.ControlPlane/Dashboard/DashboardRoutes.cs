using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Slipway.ControlPlane.Api;
using Slipway.ControlPlane.Dashboard.Pages;
using Slipway.ControlPlane.Deployments;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Dashboard;

/// <summary>
/// The web dashboard (docs/dashboard.md), served at <c>/</c> beside the admin API. Pages are rendered on the server;
/// a small embedded script only follows live deployments, filters the apps table and refreshes the edge page.
/// Every page needs a session; every POST also needs this origin, the session's anti-forgery token and the admin role.
/// </summary>
internal static class DashboardRoutes
{
    private static readonly string[] NotDashboard = ["/api", "/healthz", "/readyz", "/version", "/metrics"];

    public static void Map(WebApplication app, DashboardServices s)
    {
        app.Use(async (context, next) =>
        {
            if (!NotDashboard.Any(p => context.Request.Path.StartsWithSegments(p)))
            {
                SecurityHeaders.Apply(context.Response);
            }

            await next(context);
        });

        app.MapGet("/assets/{name}", (string name, HttpContext context) => DashboardAssets.Serve(name, context));

        app.MapGet("/sign-in", (HttpContext context, string? next) =>
            s.Sessions.Current(context) is not null
                ? Results.Redirect(RequestOrigin.LocalPath(next))
                : Page(SignInPage.Render(s.Version, RequestOrigin.LocalPath(next), null)));

        app.MapPost("/sign-in", async (HttpContext context, CancellationToken ct) =>
        {
            if (!RequestOrigin.IsSameOrigin(context.Request) || !context.Request.HasFormContentType)
            {
                return Page(SignInPage.Render(s.Version, "/", "Sign-in must come from this dashboard's own page."), 403);
            }

            var form = await context.Request.ReadFormAsync(ct);
            var next = RequestOrigin.LocalPath(form["next"]);
            try
            {
                return s.Sessions.SignIn(context, form["token"]) is null
                    ? Page(SignInPage.Render(s.Version, next,
                        "That token is not valid: it is mistyped, or it was revoked. Paste the whole token (it starts with slw_) from $SLIPWAY_HOME/admin.token or `slipway tokens create NAME`."), 401)
                    : Results.Redirect(next, permanent: false, preserveMethod: false);
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.NotLeader)
            {
                return Page(SignInPage.Render(s.Version, next, "This control plane is a follower and cannot start sessions; sign in on the one that holds the lease."), 503);
            }
        });

        app.MapPost("/sign-out", async (HttpContext context, CancellationToken ct) =>
        {
            var (session, refusal) = await GuardPostAsync(context, s, requireAdmin: false, ct);
            if (session is null)
            {
                return refusal!;
            }

            s.Sessions.SignOut(context, session);
            return Results.Redirect("/sign-in");
        });

        app.MapGet("/", async (HttpContext context, string? q, CancellationToken ct) =>
            s.Sessions.Current(context) is { } session ? Page(await AppsPage.RenderAsync(s, session, q, ct)) : SignInFirst(context));

        app.MapGet("/edge", (HttpContext context) =>
            s.Sessions.Current(context) is { } session ? Page(EdgePage.Render(s, session)) : SignInFirst(context));

        app.MapGet("/apps/{app}", async (HttpContext context, string app, CancellationToken ct) =>
            s.Sessions.Current(context) is { } session ? await OrNotFoundAsync(s, session, () => AppPage.RenderAsync(s, session, app, ct)) : SignInFirst(context));

        app.MapGet("/deployments/{id}", async (HttpContext context, string id) =>
            s.Sessions.Current(context) is { } session ? await OrNotFoundAsync(s, session, () => Task.FromResult(DeploymentPage.Render(s, session, id))) : SignInFirst(context));

        app.MapGet("/deployments/{id}/events", async (HttpContext context, string id, CancellationToken ct) =>
        {
            if (s.Sessions.Current(context) is null)
            {
                context.Response.StatusCode = 401;
                return;
            }

            if (s.Api.Store.GetDeployment(id) is null)
            {
                context.Response.StatusCode = 404;
                return;
            }

            await EventStream.WriteAsync(context, s.Api.Store, s.Api.Events, id, replayAllByDefault: true, AdminApi.Json, ct);
        });

        MapAction(app, s, "/apps/{key}/deploy", "deploy", (key, _) => DashboardActions.Deploy(s, key));
        MapAction(app, s, "/apps/{key}/rollback", "rollback", (key, q) => DashboardActions.Rollback(s, key, Q(q, "env"), Q(q, "to")));
        MapAction(app, s, "/apps/{key}/promote", "promote", (key, q) => DashboardActions.Promote(s, key, Q(q, "to")));
        MapAction(app, s, "/deployments/{key}/cancel", "cancel", (key, _) => DashboardActions.Cancel(s, key));
    }

    /// <summary>An action's confirmation page (GET) and the confirmed action (POST), which then shows its deployment.</summary>
    private static void MapAction(WebApplication app, DashboardServices s, string pattern, string action, Func<string, IQueryCollection, ConfirmAction> confirm)
    {
        app.MapGet(pattern, async (HttpContext context, string key) =>
        {
            if (s.Sessions.Current(context) is not { } session)
            {
                return SignInFirst(context);
            }

            if (!session.MayWrite)
            {
                return Page(Layout.Page("Not allowed", Refusal(AdminApi.ViewerRefusal(session.Token)), session, s.Version, null), 403);
            }

            return await OrNotFoundAsync(s, session, () => Task.FromResult(ConfirmPage.Render(s, session, confirm(key, context.Request.Query))));
        });

        app.MapPost(pattern, async (HttpContext context, string key, CancellationToken ct) =>
        {
            var (session, refusal) = await GuardPostAsync(context, s, requireAdmin: true, ct);
            if (session is null)
            {
                return refusal!;
            }

            var form = await context.Request.ReadFormAsync(ct);
            try
            {
                var id = DashboardActions.Perform(s, action, key, form);
                return Results.Redirect($"/deployments/{Html.Segment(id)}");
            }
            catch (Exception e) when (Problem(e) is { } problem)
            {
                ConfirmAction shown;
                try
                {
                    shown = confirm(key, new QueryCollection(form.ToDictionary(f => f.Key, f => f.Value)));
                }
                catch (Exception again) when (Problem(again) is not null)
                {
                    return Page(Layout.Page("Refused", Refusal(problem.Message), session, s.Version, null), problem.Status);
                }

                return Page(ConfirmPage.Render(s, session, shown, problem.Message), problem.Status);
            }
        });
    }

    /// <summary>
    /// The checks before any change: a live session, a request from this origin, the session's anti-forgery token,
    /// the admin role (for actions), and an instance that takes writes. The refusal says which failed.
    /// </summary>
    private static async Task<(SignedIn? Session, IResult? Refusal)> GuardPostAsync(HttpContext context, DashboardServices s, bool requireAdmin, CancellationToken ct)
    {
        var session = s.Sessions.Current(context);
        if (session is null)
        {
            return (null, Page(SignInPage.Render(s.Version, "/", "Your session has ended (signed out or expired): sign in again."), 401));
        }

        if (!RequestOrigin.IsSameOrigin(context.Request))
        {
            return (null, Page(Layout.Page("Refused", Refusal("Refused: this request came from another site. Changes are only accepted from the dashboard's own pages."), session, s.Version, null), 403));
        }

        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(ct) : null;
        if (form is null || !DashboardSessions.CsrfMatches(session, form[DashboardSessions.CsrfField]))
        {
            return (null, Page(Layout.Page("Refused", Refusal("Refused: the anti-forgery token is missing or wrong. Reload the page and try again."), session, s.Version, null), 403));
        }

        if (requireAdmin && !session.MayWrite)
        {
            return (null, Page(Layout.Page("Not allowed", Refusal(AdminApi.ViewerRefusal(session.Token)), session, s.Version, null), 403));
        }

        if (requireAdmin && !s.Api.Readiness.Ready)
        {
            var why = s.Api.Readiness.Follower
                ? "This control plane is a follower: another instance holds the store's lease and takes the changes."
                : "The control plane is still recovering after a start; try again in a moment.";
            return (null, Page(Layout.Page("Not ready", Refusal(why), session, s.Version, null), 503));
        }

        return (session, null);
    }

    private static async Task<IResult> OrNotFoundAsync(DashboardServices s, SignedIn session, Func<Task<string>> render)
    {
        try
        {
            return Page(await render());
        }
        catch (Exception e) when (Problem(e) is { } problem)
        {
            return Page(Layout.Page("Not found", Refusal(problem.Message), session, s.Version, null), problem.Status);
        }
    }

    private static ApiProblem? Problem(Exception e) => e switch
    {
        ApiProblem p => p,
        RequestRefusedException r => ApiProblem.From(r),
        StoreException { Code: StoreErrorCode.NotFound } x => new ApiProblem(404, x.Message),
        StoreException { Code: StoreErrorCode.InvalidTransition or StoreErrorCode.Conflict } x => new ApiProblem(409, x.Message),
        StoreException { Code: StoreErrorCode.NotLeader } x => new ApiProblem(503, "follower: " + x.Message),
        Edge.EdgeUnavailableException x => new ApiProblem(502, x.Message),
        _ => null,
    };

    private static string Refusal(string message) =>
        new Html().Raw("<div class=\"error\" role=\"alert\" id=\"refusal\"><p>").Text(message).Raw("</p></div><p><a href=\"/\">Back to the apps</a></p>").ToString();

    private static IResult SignInFirst(HttpContext context) =>
        Results.Redirect("/sign-in?next=" + Uri.EscapeDataString(context.Request.Path + context.Request.QueryString));

    private static IResult Page(string html, int status = 200) => Results.Content(html, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);

    private static string? Q(IQueryCollection query, string name) => query[name].ToString() is { Length: > 0 } v ? v : null;
}
