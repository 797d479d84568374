using Microsoft.AspNetCore.Http;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Dashboard.Pages;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Dashboard;

/// <summary>
/// Deploy, rollback, promote and cancel: what each confirmation says, and the call each form makes — the same
/// operations the admin API runs, so the dashboard refuses exactly what the API refuses, in the same words.
/// </summary>
internal static class DashboardActions
{
    public static ConfirmAction Deploy(DashboardServices s, string app)
    {
        var spec = s.Api.Queries.Spec(app);
        var env = spec.Environments[0];
        var a = Html.Segment(app);
        if (spec.Source?.Git is { } git)
        {
            return new ConfirmAction($"Deploy {app}",
                $"Builds <strong>{Html.Encode(app)}</strong> from {Html.Encode(Pipeline.Source.GitUrls.Redact(git))} at the revision you give, or the tip of <code>{Html.Encode(spec.Source.Branch)}</code> when you leave it empty, and deploys it to <strong>{Html.Encode(env)}</strong>. "
                + "Traffic moves to the new release only after it passed its probes; the current one serves until then.",
                $"/apps/{a}/deploy", "Deploy", $"/apps/{a}", $"slipway deploy {app} [--rev REV]")
            {
                Fields = "<label for=\"revision\">Revision (commit sha, branch or tag)</label>"
                    + $"<input id=\"revision\" name=\"revision\" type=\"text\" autocomplete=\"off\" spellcheck=\"false\" placeholder=\"tip of {Html.Encode(spec.Source.Branch)}\">",
            };
        }

        var lastFrom = s.Api.Store.ListDeployments(app, 20).FirstOrDefault(d => d.FromDir is not null)?.FromDir;
        return new ConfirmAction($"Deploy {app}",
            $"Builds <strong>{Html.Encode(app)}</strong> from a directory on the server and deploys it to <strong>{Html.Encode(env)}</strong>. "
            + "Traffic moves to the new release only after it passed its probes; the current one serves until then.",
            $"/apps/{a}/deploy", "Deploy", $"/apps/{a}", $"slipway deploy {app} --from DIR")
        {
            Fields = "<label for=\"from\">Directory on the server</label>"
                + $"<input id=\"from\" name=\"from\" type=\"text\" required autocomplete=\"off\" spellcheck=\"false\" {Html.Attr("value", lastFrom)}>",
        };
    }

    public static ConfirmAction Rollback(DashboardServices s, string app, string? env, string? to)
    {
        var spec = s.Api.Queries.Spec(app);
        var environment = env ?? spec.Environments[^1];
        var store = s.Api.Store;
        var pointers = store.GetPointers(app, environment);
        var current = pointers.Current is { } c ? store.GetGeneration(app, environment, c) : null;
        var currentRelease = current is null ? null : store.GetRelease(current.ReleaseId);
        var target = to is not null ? store.GetRelease(to)
            : pointers.Previous is { } p && store.GetGeneration(app, environment, p) is { } previous ? store.GetRelease(previous.ReleaseId) : null;
        var a = Html.Segment(app);
        var fields = $"<input type=\"hidden\" name=\"env\" {Html.Attr("value", environment)}>" + (to is null ? "" : $"<input type=\"hidden\" name=\"to\" {Html.Attr("value", to)}>");
        var cli = $"slipway rollback {app}" + (to is null ? "" : $" --to {to}") + (env is null ? "" : $" --env {environment}");
        return new ConfirmAction($"Roll back {app}",
            $"Moves <strong>{Html.Encode(environment)}</strong> of <strong>{Html.Encode(app)}</strong> from release <code>{Html.Encode(currentRelease?.Id ?? "none")}</code> "
            + $"({Html.Encode(Html.ShortSha(currentRelease?.Revision ?? "–"))}) back to release <code>{Html.Encode(target?.Id ?? to ?? "none")}</code> ({Html.Encode(Html.ShortSha(target?.Revision ?? "–"))}). "
            + "A generation of it that is still warm takes traffic at once; otherwise it is started and must pass its probes first.",
            $"/apps/{a}/rollback", "Roll back", $"/apps/{a}", cli)
        {
            Fields = fields,
            Danger = true,
            Blocked = target is null && to is null ? $"{environment} has no previous release to roll back to; pick a release in the app's history instead." : null,
        };
    }

    public static ConfirmAction Promote(DashboardServices s, string app, string? to)
    {
        var spec = s.Api.Queries.Spec(app);
        var a = Html.Segment(app);
        var index = to is null ? -1 : spec.Environments.ToList().IndexOf(to);
        if (index <= 0)
        {
            return new ConfirmAction($"Promote {app}", "", $"/apps/{a}/promote", "Promote", $"/apps/{a}", $"slipway promote {app} --to ENV")
            {
                Blocked = $"Choose an environment after the first one ({string.Join(", ", spec.Environments.Skip(1))}).",
            };
        }

        var from = spec.Environments[index - 1];
        var store = s.Api.Store;
        var pointers = store.GetPointers(app, from);
        var release = pointers.Current is { } c && store.GetGeneration(app, from, c) is { } g ? store.GetRelease(g.ReleaseId) : null;
        return new ConfirmAction($"Promote {app} to {to}",
            $"Carries release <code>{Html.Encode(release?.Id ?? "none")}</code> ({Html.Encode(Html.ShortSha(release?.Revision ?? "–"))}), current in <strong>{Html.Encode(from)}</strong>, "
            + $"to <strong>{Html.Encode(to)}</strong> as it is (same digest, not rebuilt). It takes traffic there only after it passed its probes.",
            $"/apps/{a}/promote", $"Promote to {to}", $"/apps/{a}", $"slipway promote {app} --to {to}")
        {
            Fields = $"<input type=\"hidden\" name=\"to\" {Html.Attr("value", to)}>",
            Blocked = release is null ? $"Nothing runs in {from} yet: deploy first." : null,
        };
    }

    public static ConfirmAction Cancel(DashboardServices s, string id)
    {
        var d = s.Api.Store.GetDeployment(id) ?? throw Api.ApiProblem.NotFound($"Deployment '{id}' is not known.");
        var running = d.Status is DeploymentStatus.Queued or DeploymentStatus.Running;
        return new ConfirmAction($"Cancel {d.Id}",
            $"Stops {Html.Encode(StoreNames.ToText(d.Kind))} <code>{Html.Encode(d.Id)}</code> of <strong>{Html.Encode(d.App)}</strong>/{Html.Encode(d.Env)}, now {Html.Encode(StoreNames.ToText(d.Status))} in phase {Html.Encode(d.Phase.Name)}. "
            + "The release serving now keeps serving; a candidate that was starting is stopped.",
            $"/deployments/{Html.Segment(d.Id)}/cancel", "Cancel the deployment", $"/deployments/{Html.Segment(d.Id)}", $"slipway cancel {d.Id}")
        {
            Danger = true,
            Blocked = running ? null : $"{d.Id} already ended ({StoreNames.ToText(d.Status)}).",
        };
    }

    /// <summary>Runs the confirmed action; answers the deployment to show next.</summary>
    public static string Perform(DashboardServices s, string action, string key, IFormCollection form)
    {
        string? Field(string name) => form[name].ToString() is { Length: > 0 } v ? v.Trim() : null;
        return action switch
        {
            "deploy" => s.Api.Apps.Deploy(key, new DeployRequest { Revision = Field("revision"), From = Field("from") }).Deployment.Id,
            "rollback" => s.Api.Apps.Rollback(key, new RollbackRequest { To = Field("to"), Env = Field("env") }).Deployment.Id,
            "promote" => s.Api.Apps.Promote(key, new PromoteRequest { To = Field("to"), Release = Field("release") }).Deployment.Id,
            "cancel" => (s.Api.Deployments.Cancel(key) ?? throw Api.ApiProblem.NotFound($"Deployment '{key}' is not known.")).Id,
            _ => throw Api.ApiProblem.NotFound($"No action '{action}'."),
        };
    }
}
