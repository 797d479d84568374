using System.Globalization;
using Slipway.ControlPlane.Dashboard.EdgeCharts;
using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Dashboard.Pages;

/// <summary>The edge: each service's routes, targets with health and in-flight counts, draining targets, and its recent traffic.</summary>
internal static class EdgePage
{
    public static string Render(DashboardServices s, SignedIn session)
    {
        var snapshot = s.Edge.Snapshot;
        var body = new Html().Raw("<div class=\"heading\"><h1>Edge</h1></div><div id=\"edge-live\" data-refresh=\"")
            .Text(((int)s.Edge.Interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)).Raw("\">");
        body.Raw("<p class=\"meta\">").Text(snapshot.SampledAt is { } at
            ? $"Sampled every {s.Edge.Interval.TotalSeconds:0.#} s, last at {at.UtcDateTime:HH:mm:ss} UTC; charts cover the last {EdgeSampler.Capacity} samples."
            : "Waiting for the first sample of the edge.").Raw("</p>");
        if (snapshot.Error is not null)
        {
            body.Raw("<div class=\"error\" role=\"alert\"><p>").Text(snapshot.Error).Raw("</p></div>");
        }

        foreach (var service in snapshot.Services.OrderBy(x => x.Name, StringComparer.Ordinal))
        {
            Service(body, service, snapshot.Series.GetValueOrDefault(service.Name));
        }

        if (snapshot.Services.Count == 0 && snapshot.SampledAt is not null)
        {
            body.Raw("<p class=\"empty\">The edge routes no service yet.</p>");
        }

        body.Raw("</div>");
        return Layout.Page("Edge", body.ToString(), session, s.Version, "slipway status", "edge");
    }

    private static void Service(Html body, ServiceStatus service, RingBuffer<ServicePoint>? series)
    {
        var id = "svc-" + string.Concat(service.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));
        body.Raw($"<section class=\"service\" aria-labelledby=\"{id}\" ").Raw(Html.Attr("data-service", service.Name)).Raw($"><h2 id=\"{id}\">").Text(service.Name).Raw("</h2><p class=\"meta\">");
        body.Text(string.Join(", ", service.Definition.Routes.Select(r => r.Host + r.Path)));
        if (service.Paused)
        {
            body.Raw(" ").Raw(AppsPage.Badge("paused", "busy"));
        }

        if (service.Maintenance is not null)
        {
            body.Raw(" ").Raw(AppsPage.Badge("maintenance", "busy"));
        }

        var inFlight = service.Targets.Concat(service.Canary).Concat(service.Draining).Sum(t => t.InFlight);
        body.Raw("</p><div class=\"charts\">");
        var points = series?.ToList() ?? [];
        body.Raw(Sparkline.Render("requests/s", points.Select(p => (double?)p.RequestsPerSecond).ToList(), v => v.ToString("0.##", CultureInfo.InvariantCulture)))
            .Raw(Sparkline.Render("5xx rate", points.Select(p => p.ErrorRate).ToList(), v => (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %"))
            .Raw(Sparkline.Render("p99", points.Select(p => p.P99Seconds).ToList(), v => (v * 1000).ToString("0.#", CultureInfo.InvariantCulture) + " ms"))
            .Raw("</div>");
        body.Raw("<div class=\"scroll\"><table><caption class=\"sr\">Targets of ").Text(service.Name).Raw("</caption><thead><tr><th scope=\"col\">Target</th><th scope=\"col\">Role</th><th scope=\"col\">URL</th><th scope=\"col\">Health</th><th scope=\"col\">In flight</th><th scope=\"col\">Last probe</th></tr></thead><tbody>");
        Targets(body, service.Targets, "serving");
        Targets(body, service.Canary, "canary");
        Targets(body, service.Draining, "draining");
        body.Raw("</tbody></table></div>")
            .Raw("<p class=\"totals\">").Text($"{inFlight} in flight · {service.Draining.Count} draining").Raw("</p></section>");
    }

    private static void Targets(Html body, IReadOnlyList<TargetStatus> targets, string role)
    {
        foreach (var target in targets)
        {
            body.Raw("<tr><th scope=\"row\" class=\"mono\">").Text(target.Id).Raw("</th>").Element("td", role)
                .Element("td", target.Url, "class=\"mono\"")
                .Raw("<td>").Raw(AppsPage.Badge(target.Health)).Raw("</td>")
                .Element("td", target.InFlight.ToString(CultureInfo.InvariantCulture))
                .Element("td", target.LastProbe is { } probe ? Probe(probe) : "–")
                .Raw("</tr>");
        }
    }

    private static string Probe(ProbeResult probe) =>
        (probe.Ok ? "passed" : "failed") + " " + (probe.Status?.ToString(CultureInfo.InvariantCulture) ?? probe.Error ?? "") + $" at {probe.At.UtcDateTime:HH:mm:ss}";
}
