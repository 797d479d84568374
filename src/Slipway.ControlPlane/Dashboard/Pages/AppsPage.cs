using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Control;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Dashboard.Pages;

/// <summary>Every app and environment at a glance: current release and revision, health, process state, restarts, last deployment.</summary>
internal static class AppsPage
{
    public static async Task<string> RenderAsync(DashboardServices s, SignedIn session, string? filter, CancellationToken cancellationToken)
    {
        var store = s.Api.Store;
        var records = store.ListApps();
        var matching = string.IsNullOrWhiteSpace(filter)
            ? records
            : records.Where(r => r.Name.Contains(filter.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
        var body = new Html()
            .Raw("<div class=\"heading\"><h1>Apps</h1>")
            .Raw("<form class=\"filter\" method=\"get\" action=\"/\" role=\"search\"><label for=\"filter\">Filter by name</label>")
            .Raw("<input id=\"filter\" name=\"q\" type=\"search\" autocomplete=\"off\" data-filter=\"#apps tbody tr\" ").Raw(Html.Attr("value", filter)).Raw(">")
            .Raw("<button type=\"submit\">Filter</button></form></div>");
        if (records.Count == 0)
        {
            body.Raw("<p class=\"empty\">No apps yet. Register one with <code>slipway apps add slipway.yml</code>, then <code>slipway deploy APP</code>.</p>");
            return Layout.Page("Apps", body.ToString(), session, s.Version, "slipway status", "apps");
        }

        body.Raw($"<p class=\"count\" aria-live=\"polite\" data-count>{matching.Count} of {records.Count} apps</p>")
            .Raw("<div class=\"scroll\"><table id=\"apps\"><caption class=\"sr\">Apps and their environments</caption><thead><tr>")
            .Raw("<th scope=\"col\">App</th><th scope=\"col\">Env</th><th scope=\"col\">Release</th><th scope=\"col\">Revision</th>")
            .Raw("<th scope=\"col\">Health</th><th scope=\"col\">Process</th><th scope=\"col\">Restarts</th><th scope=\"col\">Last deployment</th></tr></thead><tbody>");
        foreach (var record in matching)
        {
            var view = await s.Api.Queries.ViewAsync(record, cancellationToken);
            var source = SourceOf(s.Api.Queries.Specs, record);
            var last = store.ListDeployments(record.Name, 5);
            foreach (var env in view.Environments)
            {
                Row(body, s, record.Name, view, env, source, last.FirstOrDefault(d => d.Env == env.Env));
            }
        }

        body.Raw("</tbody></table></div>");
        return Layout.Page("Apps", body.ToString(), session, s.Version, "slipway status", "apps");
    }

    /// <summary>The column is the process's state; where something else runs the generation, an empty cell says what.</summary>
    private static string NoState(AppView view) =>
        RuntimeKind.Parse(view.Runtime) is { } kind && kind != RuntimeKind.Process ? $"{kind.Instance} –" : "–";

    private static void Row(Html body, DashboardServices s, string app, AppView view, EnvironmentView env, string? source, Deployment? last)
    {
        body.Raw("<tr ").Raw(Html.Attr("data-name", app)).Raw("><th scope=\"row\">")
            .Raw(Html.Link($"/apps/{Html.Segment(app)}", app)).Raw("</th>")
            .Element("td", env.Env)
            .Element("td", env.Release ?? "–", "class=\"mono\"")
            .Raw("<td class=\"mono\">").Raw(Revision(source, env.Revision)).Raw("</td>")
            .Raw("<td>").Raw(Badge(env.Health ?? (env.CurrentGeneration is null ? "not deployed" : "unknown"))).Raw("</td>")
            .Element("td", env.ProcessState ?? NoState(view))
            .Element("td", env.Restarts?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "–")
            .Raw("<td>");
        if (last is null)
        {
            body.Raw("–");
        }
        else
        {
            var status = StoreNames.ToText(last.Status);
            var running = last.Status is DeploymentStatus.Queued or DeploymentStatus.Running;
            body.Raw($"<a href=\"/deployments/{Html.Segment(last.Id)}\">")
                .Raw(running ? Badge($"{status} · {last.Phase}", "busy") : Badge(status))
                .Raw("</a> ").Raw(Html.Time(last.FinishedAt ?? last.CreatedAt, s.Time));
        }

        body.Raw("</td></tr>");
    }

    /// <summary>A revision as a short sha, linked to the forge's commit page when the app's source is a known forge.</summary>
    public static string Revision(string? gitSource, string? revision)
    {
        if (revision is null)
        {
            return "–";
        }

        var link = ForgeLinks.Commit(gitSource, revision);
        var text = Html.ShortSha(revision);
        return link is null
            ? $"<span title=\"{Html.Encode(revision)}\">{Html.Encode(text)}</span>"
            : Html.Link(link, text, $"title=\"{Html.Encode(revision)}\" rel=\"noreferrer\"");
    }

    public static string Badge(string text, string? tone = null) => $"<span class=\"badge {tone ?? Tone(text)}\">{Html.Encode(text)}</span>";

    public static string Badge(TargetHealth health) => Badge(WireName.Of(health), Tone(health));

    // A badge's text is what an API view says: a target's health, a process's state, or a deployment's status.
    private static string Tone(string text) =>
        WireName.Parse<TargetHealth>(text) is { } health ? Tone(health)
        : WireName.Parse<ProcessState>(text) is { } state ? Tone(state)
        : text switch
        {
            "succeeded" or "current" => "ok",
            "queued" => "busy",
            "failed" or "rolled_back" or "cancelled" => "bad",
            _ => "neutral",
        };

    private static string Tone(TargetHealth health) => health switch
    {
        TargetHealth.Healthy => "ok",
        TargetHealth.Unhealthy => "bad",
        _ => "neutral",
    };

    private static string Tone(ProcessState state) => state switch
    {
        ProcessState.Running => "ok",
        ProcessState.Backoff or ProcessState.Exited => "bad",
        _ => "neutral",
    };

    /// <summary>The app's git source, or null without one (or when its stored spec does not parse).</summary>
    public static string? SourceOf(AppCatalog specs, AppRecord record) => specs.TryOf(record)?.Source?.Git;
}
