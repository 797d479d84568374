using System.Globalization;
using Slipway.ControlPlane.Api;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Dashboard.Pages;

/// <summary>
/// The deployment page's canary section (docs/rollout.md): each step with its weight, state and start, and each
/// journaled decision with who made it, why, and the canary's and stable's figures over the window it was made on.
/// Nothing for a deployment without a rollout. While the rollout is open it shows the CLI commands that steer it.
/// </summary>
internal sealed class RolloutPanel(SlipwayStore store, TimeProvider time) : IDeploymentPanel
{
    public string? Render(Deployment deployment) =>
        store.GetRollout(deployment.Id) is { } rollout ? Render(Views.Of(rollout), deployment.App, time) : null;

    public static string Render(RolloutView r, string app, TimeProvider time)
    {
        var body = new Html();
        body.Raw("<section aria-labelledby=\"rollout-heading\"><h2 id=\"rollout-heading\">Rollout</h2><p class=\"meta\">")
            .Raw(AppsPage.Badge(r.State, r.State switch { RolloutStates.Promoted => "ok", RolloutStates.Aborted => "bad", _ => "busy" }))
            .Text(r.Hold ? $" one-off canary at {r.Weight}%" : $" canary at {r.Weight}%")
            .Text(r.StableGeneration is { } s ? $" · stable #{s}" : "")
            .Text(r.CanaryGeneration is { } c ? $" · canary #{c}" : "")
            .Text(r.PendingCommand is { } p ? $" · {p} requested" : "")
            .Raw("</p>");
        if (r.Reason is { Length: > 0 } reason)
        {
            body.Raw("<p>").Text(reason).Raw("</p>");
        }

        Steps(body, r, time);
        Decisions(body, r, time);
        if (r.State is RolloutStates.Requested or RolloutStates.Running or RolloutStates.Paused)
        {
            var cli = string.Join("  |  ", new[] { "promote", "abort", r.State == RolloutStates.Paused ? "resume" : "pause" }.Select(c => $"slipway rollout {app} {c}"));
            body.Raw("<p class=\"cli\">Steer it from the CLI: <code>").Text(cli).Raw("</code></p>");
        }

        return body.Raw("</section>").ToString();
    }

    private static void Steps(Html body, RolloutView r, TimeProvider time)
    {
        body.Raw("<div class=\"scroll\"><table id=\"rollout-steps\"><caption class=\"sr\">Rollout steps</caption><thead><tr>")
            .Raw("<th scope=\"col\">Step</th><th scope=\"col\">Weight</th><th scope=\"col\">State</th><th scope=\"col\">Started</th></tr></thead><tbody>");
        for (var i = 1; i <= r.Steps.Count; i++)
        {
            var state = StepState(r, i);
            var started = r.Decisions.FirstOrDefault(d => d.Step == i && d.Decision == "step");
            body.Raw("<tr><th scope=\"row\">").Text(i.ToString(CultureInfo.InvariantCulture)).Raw("</th><td>")
                .Text($"{r.Steps[i - 1]}%").Raw("</td><td>")
                .Raw(AppsPage.Badge(state, state switch { "done" => "ok", "aborted" => "bad", "current" or "paused" => "busy", _ => "neutral" }))
                .Raw("</td><td>").Raw(started is null ? "–" : Html.Time(started.At, time)).Raw("</td></tr>");
        }

        body.Raw("</tbody></table></div>");
    }

    private static string StepState(RolloutView r, int step) =>
        step < r.Step ? "done"
        : step > r.Step ? (r.State is RolloutStates.Promoted or RolloutStates.Aborted ? "skipped" : "pending")
        : r.State switch
        {
            RolloutStates.Promoted or RolloutStates.Promoting => "done",
            RolloutStates.Aborted => "aborted",
            RolloutStates.Paused => "paused",
            _ => "current",
        };

    private static void Decisions(Html body, RolloutView r, TimeProvider time)
    {
        var decisions = r.Decisions.Where(d => d.Decision != "step").ToList();
        if (decisions.Count == 0)
        {
            body.Raw("<p class=\"empty\">No decision yet: the analysis decides when the step's pause is over.</p>");
            return;
        }

        body.Raw("<h3 id=\"decisions-heading\">Decisions</h3><div class=\"scroll\"><table id=\"rollout-decisions\" aria-labelledby=\"decisions-heading\"><thead><tr>")
            .Raw("<th scope=\"col\">When</th><th scope=\"col\">Step</th><th scope=\"col\">Decision</th><th scope=\"col\">By</th><th scope=\"col\">Reason</th>")
            .Raw("<th scope=\"col\">Side</th><th scope=\"col\">Requests</th><th scope=\"col\">Errors (5xx + transport)</th><th scope=\"col\">Error rate</th><th scope=\"col\">p99</th></tr></thead><tbody>");
        foreach (var d in decisions)
        {
            var rows = d.Canary is null && d.Stable is null ? 1 : 2;
            var span = rows == 2 ? " rowspan=\"2\"" : "";
            body.Raw($"<tr><td{span}>").Raw(Html.Time(d.At, time)).Raw($"</td><td{span}>").Text($"{d.Step} ({d.Weight}%)")
                .Raw($"</td><th scope=\"row\"{span}>").Text(d.Decision).Raw($"</th><td{span}>").Text(d.By).Raw($"</td><td{span}>").Text(d.Reason).Raw("</td>");
            if (rows == 1)
            {
                body.Raw("<td colspan=\"5\" class=\"muted\">no figures</td></tr>");
                continue;
            }

            Figures(body, "canary", d.Canary);
            body.Raw("</tr><tr>");
            Figures(body, "stable", d.Stable);
            body.Raw("</tr>");
        }

        body.Raw("</tbody></table></div>");
    }

    private static void Figures(Html body, string side, WindowFiguresView? f)
    {
        body.Element("td", side);
        if (f is null)
        {
            body.Raw("<td colspan=\"4\" class=\"muted\">no figures</td>");
            return;
        }

        body.Element("td", f.Requests.ToString(CultureInfo.InvariantCulture))
            .Element("td", f.Errors.ToString(CultureInfo.InvariantCulture))
            .Element("td", f.ErrorRate.ToString("0.00%", CultureInfo.InvariantCulture))
            .Element("td", f.P99Ms is { } p99 ? p99.ToString("0.#", CultureInfo.InvariantCulture) + " ms" : "–");
    }
}
