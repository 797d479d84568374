using System.Globalization;
using System.Text.Json;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Dashboard.Pages;

/// <summary>
/// One deployment: the phase timeline, extra panels (canary steps), the log, and the error summary. The page is
/// complete as served, from the journal up to its newest event; while the deployment runs, the script follows
/// the deployment's event stream from exactly that event on, so nothing is missed or shown twice.
/// </summary>
internal static class DeploymentPage
{
    public static string Render(DashboardServices s, SignedIn session, string id)
    {
        var store = s.Api.Store;
        // Events first, then the row: the row is then at least as new as the log, and the stream resumes after the last event read.
        var (lines, lastSeq) = LogOf(store, id);
        var d = store.GetDeployment(id) ?? throw Api.ApiProblem.NotFound($"Deployment '{id}' is not known.");
        var release = d.ReleaseId is null ? null : store.GetRelease(d.ReleaseId);
        var running = d.Status is DeploymentStatus.Queued or DeploymentStatus.Running;
        var status = StoreNames.ToText(d.Status);

        var body = new Html();
        if (running)
        {
            body.Raw("<div class=\"live\" ").Raw(Html.Attr("data-stream", $"/deployments/{Html.Segment(id)}/events?lastEventId={lastSeq.ToString(CultureInfo.InvariantCulture)}")).Raw(">");
        }
        else
        {
            body.Raw("<div>");
        }

        body.Raw("<p class=\"crumbs\"><a href=\"/\">Apps</a> / ").Raw(Html.Link($"/apps/{Html.Segment(d.App)}", d.App)).Raw(" /</p>")
            .Raw("<div class=\"heading\"><h1>").Text($"{StoreNames.ToText(d.Kind)} {d.Id}").Raw("</h1>");
        if (running && session.MayWrite)
        {
            body.Raw("<div class=\"actions\">").Raw(Html.Link($"/deployments/{Html.Segment(d.Id)}/cancel", "Cancel…", "class=\"button danger\"")).Raw("</div>");
        }

        body.Raw("</div><dl class=\"facts\">")
            .Raw("<dt>Status</dt><dd id=\"status\" aria-live=\"polite\">").Raw(running ? AppsPage.Badge($"{status} · {d.Phase}", "busy") : AppsPage.Badge(status)).Raw("</dd>")
            .Raw("<dt>App</dt><dd>").Raw(Html.Link($"/apps/{Html.Segment(d.App)}", d.App)).Text($" / {d.Env}").Raw("</dd>")
            .Raw("<dt>Revision</dt><dd class=\"mono\">").Raw(AppsPage.Revision(AppsPage.SourceOf(s.Api.Queries.Specs, store.GetApp(d.App)!), release?.Revision ?? d.RequestedRevision)).Raw("</dd>")
            .Raw("<dt>Release</dt><dd class=\"mono\">").Text(d.ReleaseId ?? "–").Raw("</dd>")
            .Raw("<dt>Generation</dt><dd>").Text(d.Generation is { } g ? $"#{g}" : "–").Raw("</dd>")
            .Raw("<dt>Queued</dt><dd>").Raw(Html.Time(d.CreatedAt, s.Time)).Raw("</dd>")
            .Raw("<dt>Took</dt><dd>").Text(d.DurationMs is null ? "–" : Html.Duration(d.DurationMs)).Raw("</dd>");
        if (d.FromDir is not null)
        {
            body.Raw("<dt>From</dt><dd class=\"mono\">").Text(d.FromDir).Raw("</dd>");
        }

        if (d.SupersededBy is not null)
        {
            body.Raw("<dt>Superseded by</dt><dd>").Raw(Html.Link($"/deployments/{Html.Segment(d.SupersededBy)}", d.SupersededBy)).Raw("</dd>");
        }

        body.Raw("</dl>");
        if (d.ErrorSummary is not null)
        {
            body.Raw("<div class=\"error\" role=\"alert\"><h2>What went wrong</h2><p>").Text(d.ErrorSummary).Raw("</p></div>");
        }

        Timeline(body, d, s.Time.GetUtcNow());
        foreach (var panel in s.DeploymentPanels)
        {
            if (panel.Render(d) is { } markup)
            {
                body.Raw(markup);
            }
        }

        body.Raw("<section aria-labelledby=\"log-heading\"><h2 id=\"log-heading\">Log</h2><pre id=\"log\" class=\"log\" tabindex=\"0\" aria-label=\"Deployment log\">");
        foreach (var line in lines)
        {
            body.Text(line).Raw("\n");
        }

        body.Raw("</pre></section></div>");
        return Layout.Page($"{d.App} {d.Id}", body.ToString(), session, s.Version, running ? $"slipway status {d.App}   # follow: slipway deploy … streams it live" : $"slipway status {d.App}");
    }

    private static void Timeline(Html body, Deployment d, DateTimeOffset now)
    {
        var entered = PhaseDurations.Of(d, now).ToDictionary(p => p.Phase, p => p.Ms);
        var phases = PhaseDurations.Order.Concat(entered.Keys.Where(k => !PhaseDurations.Order.Contains(k))).ToList();
        var running = d.Status is DeploymentStatus.Queued or DeploymentStatus.Running;
        var last = entered.Count == 0 ? null : d.PhaseTimes.Where(p => entered.ContainsKey(p.Key)).MaxBy(p => p.Value).Key;
        body.Raw("<section aria-labelledby=\"phases-heading\"><h2 id=\"phases-heading\">Phases</h2><ol class=\"timeline\" id=\"timeline\">");
        foreach (var phase in phases)
        {
            var state = !entered.ContainsKey(phase) ? (running ? "pending" : "skipped")
                : phase != last ? "done"
                : running ? "current"
                : d.Status == DeploymentStatus.Succeeded ? "done" : StoreNames.ToText(d.Status);
            body.Raw($"<li class=\"{state}\" ").Raw(Html.Attr("data-phase", phase.Name)).Raw("><span class=\"name\">").Text(phase.Name).Raw("</span> <span class=\"state\">")
                .Text(state).Raw("</span> <span class=\"took\">").Text(entered.TryGetValue(phase, out var ms) && state != "current" ? Html.Duration(ms) : "").Raw("</span></li>");
        }

        body.Raw("</ol></section>");
    }

    private static (List<string> Lines, long LastSeq) LogOf(SlipwayStore store, string id)
    {
        var lines = new List<string>();
        long last = 0;
        while (true)
        {
            var page = store.ReadEvents(last, id, 1000);
            foreach (var e in page)
            {
                last = e.Seq;
                if (e.Type == EventTypes.DeployLog)
                {
                    using var data = JsonDocument.Parse(e.DataJson);
                    if (data.RootElement.TryGetProperty("line", out var line))
                    {
                        lines.Add(line.GetString() ?? "");
                    }
                }
            }

            if (page.Count < 1000)
            {
                return (lines, last);
            }
        }
    }
}
