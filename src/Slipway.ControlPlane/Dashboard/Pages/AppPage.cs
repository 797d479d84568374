using System.Globalization;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control;

namespace Slipway.ControlPlane.Dashboard.Pages;

/// <summary>One app: environments and routes, release history, recent deployments, secret names, webhook setup, and its actions.</summary>
internal static class AppPage
{
    public static async Task<string> RenderAsync(DashboardServices s, SignedIn session, string app, CancellationToken cancellationToken)
    {
        var store = s.Api.Store;
        var spec = s.Api.Queries.Spec(app);
        var record = store.GetApp(app)!;
        var view = await s.Api.Queries.ViewAsync(record, cancellationToken);
        var releases = s.Api.Queries.Releases(app);
        var deployments = store.ListDeployments(app, 15);
        var source = spec.Source?.Git;
        var a = Html.Segment(app);

        var body = new Html().Raw("<p class=\"crumbs\"><a href=\"/\">Apps</a> /</p><div class=\"heading\"><h1>").Text(app).Raw("</h1>");
        if (session.MayWrite)
        {
            body.Raw("<div class=\"actions\">").Raw(Html.Link($"/apps/{a}/deploy", "Deploy…", "class=\"button primary\"")).Raw("</div>");
        }

        body.Raw("</div><p class=\"meta\">").Text($"runtime {spec.Runtime} · ")
            .Text(source is null ? "deployed from a directory on the server" : $"source {Pipeline.Source.GitUrls.Redact(source)} ({spec.Source!.Branch})")
            .Text($" · promote: {WireName.Of(spec.Promote)}").Raw("</p>");

        body.Raw("<section aria-labelledby=\"envs\"><h2 id=\"envs\">Environments</h2><div class=\"scroll\"><table><thead><tr>")
            .Raw("<th scope=\"col\">Env</th><th scope=\"col\">Routes</th><th scope=\"col\">Release</th><th scope=\"col\">Revision</th><th scope=\"col\">Generation</th>")
            .Raw("<th scope=\"col\">Health</th><th scope=\"col\">Process</th><th scope=\"col\">Restarts</th>")
            .Raw(session.MayWrite ? "<th scope=\"col\"><span class=\"sr\">Actions</span></th>" : "").Raw("</tr></thead><tbody>");
        for (var i = 0; i < view.Environments.Count; i++)
        {
            var env = view.Environments[i];
            body.Raw("<tr><th scope=\"row\">").Text(env.Env).Raw("</th><td>");
            foreach (var route in spec.RoutesFor(env.Env))
            {
                body.Raw(route.Host.Contains('*', StringComparison.Ordinal) ? $"<code>{Html.Encode(route.Host + route.Path)}</code> " : Html.Link($"http://{route.Host}{route.Path}", route.Host + route.Path, "rel=\"noreferrer\"") + " ");
            }

            body.Raw("</td>").Element("td", env.Release ?? "–", "class=\"mono\"")
                .Raw("<td class=\"mono\">").Raw(AppsPage.Revision(source, env.Revision)).Raw("</td>")
                .Element("td", env.CurrentGeneration is { } g ? $"#{g}" + (env.PreviousGeneration is { } p ? $" (previous #{p})" : "") : "–")
                .Raw("<td>").Raw(AppsPage.Badge(env.Health ?? (env.CurrentGeneration is null ? "not deployed" : "unknown"))).Raw("</td>")
                .Element("td", env.ProcessState ?? "–")
                .Element("td", env.Restarts?.ToString(CultureInfo.InvariantCulture) ?? "–");
            if (session.MayWrite)
            {
                body.Raw("<td class=\"actions\">");
                if (env.PreviousGeneration is not null)
                {
                    body.Raw(Html.Link($"/apps/{a}/rollback?env={Html.Segment(env.Env)}", "Roll back…", $"class=\"button\" aria-label=\"Roll back {Html.Encode(env.Env)}\""));
                }

                if (i > 0)
                {
                    body.Raw(Html.Link($"/apps/{a}/promote?to={Html.Segment(env.Env)}", $"Promote to {env.Env}…", "class=\"button\""));
                }

                body.Raw("</td>");
            }

            body.Raw("</tr>");
        }

        body.Raw("</tbody></table></div></section>");

        body.Raw("<section aria-labelledby=\"releases\"><h2 id=\"releases\">Releases</h2>");
        if (releases.Count == 0)
        {
            body.Raw("<p class=\"empty\">No release built yet.</p>");
        }
        else
        {
            body.Raw("<div class=\"scroll\"><table id=\"release-table\"><thead><tr><th scope=\"col\">Release</th><th scope=\"col\">Revision</th><th scope=\"col\">Digest</th><th scope=\"col\">Built</th>");
            foreach (var env in spec.Environments)
            {
                body.Raw("<th scope=\"col\">").Text(env).Raw("</th>");
            }

            body.Raw("<th scope=\"col\">Migrate</th>").Raw(session.MayWrite ? "<th scope=\"col\"><span class=\"sr\">Actions</span></th>" : "").Raw("</tr></thead><tbody>");
            var last = spec.Environments[^1];
            foreach (var release in releases)
            {
                body.Raw("<tr ").Raw(Html.Attr("data-release", release.Id)).Raw("><th scope=\"row\" class=\"mono\">").Text(release.Id).Raw("</th>")
                    .Raw("<td class=\"mono\">").Raw(AppsPage.Revision(source, release.Revision)).Raw(release.Dirty ? " <span class=\"badge neutral\">dirty</span>" : "").Raw("</td>")
                    .Raw("<td class=\"mono\" title=\"").Text(release.Digest).Raw("\">").Text(Layout.ShortDigest(release.Digest)).Raw("</td>")
                    .Raw("<td>").Raw(Html.Time(release.BuiltAt, s.Time)).Raw("</td>");
                foreach (var env in spec.Environments)
                {
                    body.Raw("<td>").Raw(Outcome(release.Environments.GetValueOrDefault(env))).Raw("</td>");
                }

                body.Element("td", release.Migration is null ? "–" : release.Migration + (release.MigrationExitCode is { } code ? $" (exit {code})" : ""));
                if (session.MayWrite)
                {
                    var current = release.Environments.GetValueOrDefault(last) == "current";
                    body.Raw("<td class=\"actions\">")
                        .Raw(release.Retained && !current && release.Environments.Count > 0
                            ? Html.Link($"/apps/{a}/rollback?to={Html.Segment(release.Id)}", "Roll back to this…", $"class=\"button\" aria-label=\"Roll back to {Html.Encode(release.Id)}\"")
                            : "")
                        .Raw("</td>");
                }

                body.Raw("</tr>");
            }

            body.Raw("</tbody></table></div>");
        }

        body.Raw("</section><section aria-labelledby=\"deployments\"><h2 id=\"deployments\">Recent deployments</h2>");
        if (deployments.Count == 0)
        {
            body.Raw("<p class=\"empty\">None yet.</p>");
        }
        else
        {
            body.Raw("<div class=\"scroll\"><table><thead><tr><th scope=\"col\">Deployment</th><th scope=\"col\">Kind</th><th scope=\"col\">Env</th><th scope=\"col\">Status</th><th scope=\"col\">When</th><th scope=\"col\">Took</th><th scope=\"col\">Phases</th></tr></thead><tbody>");
            var now = s.Time.GetUtcNow();
            foreach (var d in deployments)
            {
                var running = d.Status is DeploymentStatus.Queued or DeploymentStatus.Running;
                body.Raw("<tr><th scope=\"row\">").Raw(Html.Link($"/deployments/{Html.Segment(d.Id)}", d.Id, "class=\"mono\"")).Raw("</th>")
                    .Element("td", StoreNames.ToText(d.Kind)).Element("td", d.Env)
                    .Raw("<td>").Raw(running ? AppsPage.Badge($"{StoreNames.ToText(d.Status)} · {d.Phase}", "busy") : AppsPage.Badge(StoreNames.ToText(d.Status))).Raw("</td>")
                    .Raw("<td>").Raw(Html.Time(d.CreatedAt, s.Time)).Raw("</td>")
                    .Element("td", Html.Duration(d.DurationMs))
                    .Element("td", string.Join(" · ", PhaseDurations.Of(d, now).Select(p => $"{p.Phase} {Html.Duration(p.Ms)}")), "class=\"phases\"")
                    .Raw("</tr>");
            }

            body.Raw("</tbody></table></div>");
        }

        var secrets = store.ListAppSecrets(app);
        body.Raw("</section><section aria-labelledby=\"secrets\"><h2 id=\"secrets\">Secrets</h2>");
        if (secrets.Count == 0 && spec.Secrets.Count == 0)
        {
            body.Raw("<p class=\"empty\">None. Set one with <code>printf %s \"$VALUE\" | slipway secrets set ").Text(app).Raw(" NAME</code>.</p>");
        }
        else
        {
            body.Raw("<p class=\"meta\">Names only: values never leave the server.</p><ul class=\"names\">");
            foreach (var secret in secrets)
            {
                body.Raw("<li><code>").Text(secret.Name).Raw("</code> set ").Raw(Html.Time(secret.UpdatedAt, s.Time)).Raw("</li>");
            }

            foreach (var missing in spec.Secrets.Where(n => secrets.All(x => x.Name != n)))
            {
                body.Raw("<li><code>").Text(missing).Raw("</code> <span class=\"badge bad\">listed in the spec, no value set</span></li>");
            }

            body.Raw("</ul>");
        }

        var webhook = store.ListWebhookSecrets().ContainsKey(app);
        body.Raw("</section><section aria-labelledby=\"webhook\"><h2 id=\"webhook\">Push to deploy</h2>");
        if (source is null)
        {
            body.Raw("<p class=\"empty\">This app has no git source, so pushes cannot deploy it; add <code>source: { git: URL, branch: main }</code> to its spec.</p>");
        }
        else
        {
            body.Raw("<p>").Raw(webhook ? AppsPage.Badge("webhook secret set", "ok") : AppsPage.Badge("no webhook secret", "neutral"))
                .Raw(" Point a push webhook (content type <code>application/json</code>) at <code>/api/v1/webhooks/forgejo</code>, <code>/gitea</code> or <code>/github</code> on this server; a push to <code>")
                .Text(spec.Source!.Branch).Raw("</code> deploys that commit.</p>");
            if (!webhook)
            {
                body.Raw("<p>Set its secret with <code>slipway webhooks secret ").Text(app).Raw("</code>.</p>");
            }
        }

        body.Raw("</section>");
        return Layout.Page(app, body.ToString(), session, s.Version, $"slipway releases {app}");
    }

    private static string Outcome(string? outcome) => outcome switch
    {
        null => "<span class=\"muted\">–</span>",
        "current" => "<span class=\"badge ok\">✓ current</span>",
        "previous" => "<span class=\"badge neutral\">✓ previous</span>",
        "failed" => "<span class=\"badge bad\">✗ failed</span>",
        _ => $"<span class=\"badge neutral\">✓ {Html.Encode(outcome)}</span>",
    };
}
