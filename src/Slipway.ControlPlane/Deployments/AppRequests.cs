using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Edge;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Pipeline.Source;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Deployments;

/// <summary>
/// What the admin API asks to change in an app: register or remove it, deploy, roll back, promote, steer a rollout.
/// Every check runs before anything is written, so a refused request (<see cref="RequestRefusedException"/>) changes
/// nothing; an accepted one becomes a journaled deployment.
/// </summary>
internal sealed class AppRequests(SlipwayStore store, AppCatalog specs, AppLookup lookup, DeploymentService deployments, IEdgeGateway edge, WarmGenerations warm)
{
    public AppSpec Register(string app, string body, bool json)
    {
        var fileName = $"{app}/slipway.yml";
        AppSpec spec;
        try
        {
            spec = json ? AppSpecParser.ParseJson(body, fileName) : AppSpecParser.Parse(body, fileName);
        }
        catch (SpecException e)
        {
            throw new RequestRefusedException(RefusalReason.Invalid, e.Message, e.Errors);
        }

        if (spec.App != app)
        {
            throw new RequestRefusedException(RefusalReason.Invalid, $"The spec is for app '{spec.App}' but was sent to /api/v1/apps/{app}: send it to /api/v1/apps/{spec.App}.",
                [new SpecError(fileName, 0, 0, "app", $"expected '{app}'")]);
        }

        store.UpsertApp(app, body);
        return spec;
    }

    /// <summary>
    /// The self-deploy hands the store's lease to a new instance; a deployment running here meanwhile would lose its
    /// right to write halfway. A self-deploy is refused while other deployments run, and they are refused while it runs.
    /// </summary>
    private void RefuseDuringSelfDeploy(string app)
    {
        if (store.ListUnfinishedDeployments().FirstOrDefault(d => d.App == SelfDeploy.SelfApp.Name) is { } self)
        {
            throw RequestRefusedException.Conflict($"The control plane is deploying itself (deployment {self.Id}); nothing of {app} was queued: retry when it ends (`slipway self-deploy` answers when it does).");
        }
    }

    public (Deployment Deployment, bool Coalesced) Deploy(string app, DeployRequest request)
    {
        if (app == SelfDeploy.SelfApp.Name)
        {
            throw RequestRefusedException.Invalid("The control plane deploys itself with `slipway self-deploy` (POST /api/v1/self/deploy), not as an ordinary app.");
        }

        RefuseDuringSelfDeploy(app);
        var spec = lookup.Spec(app);
        var env = AppLookup.Environment(spec, request.Env);
        if (env != spec.Environments[0])
        {
            // Invariant 8 (docs/architecture.md §9.8): a later environment only runs releases validated in the one before it.
            throw RequestRefusedException.Invalid($"env: '{env}' receives releases by promotion from '{spec.Environments[AppLookup.IndexOf(spec.Environments, env) - 1]}', "
                + $"not by deploy: deploy to '{spec.Environments[0]}' (the default), then `slipway promote {app} --to {env}` (automatic with `promote: auto`).");
        }

        string key;
        string? from = null;
        if (request.From is { Length: > 0 } dir)
        {
            if (!Path.IsPathFullyQualified(dir))
            {
                throw RequestRefusedException.Invalid($"from: '{dir}' is not an absolute path; the CLI sends one, API callers must too.");
            }

            from = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
            if (!Directory.Exists(from))
            {
                throw RequestRefusedException.Invalid($"from: directory '{from}' does not exist on the server.");
            }

            key = "from:" + from + (request.Revision is null ? "" : "@" + request.Revision);
        }
        else if (spec.Source?.Git is null)
        {
            throw RequestRefusedException.Invalid($"App '{app}' has no git source: deploy with --from DIR (the `from` field), or add `source: {{ git: URL }}` to its spec.");
        }
        else
        {
            if (request.Revision is { } revision && !GitRevisions.IsWellFormed(revision))
            {
                throw RequestRefusedException.Invalid($"revision: '{revision}' is not a git revision; give a commit sha, branch or tag name.");
            }

            // A push names a full sha; `deploy` without --rev asks for the branch head, whatever it is when the source phase runs.
            key = "git:" + (request.Revision ?? "@" + spec.Source.Branch);
        }

        int? canary = null;
        if (request.Canary is { } share)
        {
            canary = RolloutSpecParser.ParseShare(share, out var error) ?? throw RequestRefusedException.Invalid($"canary: {error}.");
            if (spec.Runtime == Runtime.RuntimeKind.Swarm)
            {
                throw RequestRefusedException.Invalid($"canary: {app} runs on `runtime: swarm`, where canaries do not run yet; deploy without --canary (a health-gated full swap).");
            }

            if (store.GetPointers(app, env).Current is null)
            {
                throw RequestRefusedException.Conflict($"canary: nothing of {app}/{env} serves yet to compare a canary with; deploy it once without --canary.");
            }

            key += "|canary:" + canary.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return deployments.Request(new NewDeployment
        {
            App = app, Env = env, Kind = DeploymentKind.Deploy, RequestedRevision = request.Revision, FromDir = from, CanaryWeight = canary,
        }, key);
    }

    /// <summary>
    /// An operator's <c>promote</c>, <c>abort</c>, <c>pause</c> or <c>resume</c> for the rollout running in the app (in
    /// <paramref name="env"/>, or wherever one runs); the running deployment applies it within a tick.
    /// </summary>
    public Rollout CommandRollout(string app, string command, string? env)
    {
        if (command is not ("promote" or "abort" or "pause" or "resume"))
        {
            throw RequestRefusedException.NotFound($"No rollout command '{command}': use promote, abort, pause or resume.");
        }

        var spec = lookup.Spec(app);
        var where = env is null
            ? spec.Environments.FirstOrDefault(e => store.GetOpenRollout(app, e) is not null) ?? spec.Environments[0]
            : AppLookup.Environment(spec, env);
        return store.CommandRollout(app, where, command);
    }

    public (Deployment Deployment, bool Coalesced) Rollback(string app, RollbackRequest request)
    {
        if (app == SelfDeploy.SelfApp.Name)
        {
            throw RequestRefusedException.Invalid("Roll the control plane back with `slipway self-deploy --rev REV` of the earlier revision; its release is reused, not rebuilt.");
        }

        RefuseDuringSelfDeploy(app);
        var spec = lookup.Spec(app);
        // Without --env: the last environment, where users are served (prod), not the first one deploys go to.
        var env = request.Env is null ? spec.Environments[^1] : AppLookup.Environment(spec, request.Env);
        var pointers = store.GetPointers(app, env);
        var current = lookup.CurrentGeneration(pointers);
        Release release;
        if (request.To is { Length: > 0 } to)
        {
            release = lookup.Release(app, to);
        }
        else
        {
            var previous = pointers.Previous is { } p ? store.GetGeneration(app, env, p) : null;
            release = previous is null
                ? throw RequestRefusedException.Conflict($"{app}/{env} has no previous generation to roll back to; name a release with --to.")
                : store.GetRelease(previous.ReleaseId)!;
        }

        if (current?.ReleaseId == release.Id)
        {
            throw RequestRefusedException.Conflict($"Release {release.Id} is already current in {app}/{env}.");
        }

        AppLookup.RequireRetained(release);

        // A failed generation is never a rollback target (docs/architecture.md §2): neither is a release that never ran anywhere.
        if (!spec.Environments.Any(e => store.SucceededDeploymentOf(app, e, release.Id) is not null))
        {
            var last = spec.Environments.Select(e => store.LastDeploymentOf(app, e, release.Id)).OfType<Deployment>().MaxBy(d => d.CreatedAt);
            var why = last is null ? "it was never deployed" : $"deployment {last.Id} {StoreNames.ToText(last.Status)} in phase {last.Phase}";
            throw RequestRefusedException.Conflict($"Release {release.Id} never succeeded in any environment ({why}), so it is not a rollback target; `slipway releases {app}` shows the releases that ran.");
        }

        return deployments.Request(new NewDeployment
        {
            App = app, Env = env, Kind = DeploymentKind.Rollback, RequestedRevision = release.Revision,
        }, "rollback:" + release.Id, release);
    }

    /// <summary>
    /// Promotes a release that succeeded in the environment before <c>to</c> into <c>to</c>: the same release (same
    /// digest) is started, probed and routed there; nothing is rebuilt (docs/architecture.md §3, §9.8).
    /// </summary>
    public (Deployment Deployment, bool Coalesced) Promote(string app, PromoteRequest request)
    {
        RefuseDuringSelfDeploy(app);
        var spec = lookup.Spec(app);
        if (request.To is not { Length: > 0 } to)
        {
            throw RequestRefusedException.Invalid($"to: name the environment to promote to, e.g. {{\"to\": \"{spec.Environments[^1]}\"}} (`slipway promote {app} --to {spec.Environments[^1]}`).");
        }

        var index = AppLookup.IndexOf(spec.Environments, to);
        if (index < 0)
        {
            var suggestion = KeySuggester.Suggest(to, spec.Environments);
            var hint = suggestion is null ? "" : $"; did you mean '{suggestion}'?";
            throw RequestRefusedException.Invalid($"to: '{to}' is not one of {app}'s environments ({string.Join(", ", spec.Environments)}){hint}");
        }

        if (index == 0)
        {
            throw RequestRefusedException.Invalid(spec.Environments.Count == 1
                ? $"to: {app} has only one environment ('{to}'), so there is nothing to promote from; deploy with `slipway deploy {app}`, or list more in `environments`."
                : $"to: '{to}' is {app}'s first environment; releases are deployed into it (`slipway deploy {app}`) and promoted from it to '{spec.Environments[1]}'.");
        }

        var from = spec.Environments[index - 1];
        Release release;
        if (request.Release is { Length: > 0 } id)
        {
            release = lookup.Release(app, id);
        }
        else
        {
            var current = lookup.CurrentGeneration(app, from);
            release = current is null
                ? throw RequestRefusedException.Conflict($"Nothing runs in {app}/{from} yet, so there is nothing to promote to {to}: deploy first (`slipway deploy {app}`).")
                : store.GetRelease(current.ReleaseId)!;
        }

        var validated = store.SucceededDeploymentOf(app, from, release.Id);
        if (validated is null)
        {
            var last = store.LastDeploymentOf(app, from, release.Id);
            throw RequestRefusedException.Conflict(last is null
                ? $"Release {release.Id} has not run in {from}; it must pass {from} before it can go to {to}."
                : $"Release {release.Id} did not pass {from} (deployment {last.Id} {StoreNames.ToText(last.Status)} in phase {last.Phase}), "
                  + $"so it cannot be promoted to {to}: a release that fails {from} never reaches {to}. Fix it and deploy again.");
        }

        var target = lookup.CurrentGeneration(app, to);
        if (target?.ReleaseId == release.Id)
        {
            throw RequestRefusedException.Conflict($"Release {release.Id} is already current in {app}/{to}.");
        }

        AppLookup.RequireRetained(release);

        return deployments.Request(
            new NewDeployment { App = app, Env = to, Kind = DeploymentKind.Promote, RequestedRevision = release.Revision },
            "promote:" + release.Id,
            release,
            new PromotionSource(from, release.Id, release.Digest, validated.Id));
    }

    /// <summary>
    /// After a deploy or promotion succeeded in one environment, with <c>promote: auto</c>: queues its release's
    /// promotion to the next environment. Not after a rollback (a rollback is about one environment), and not when a
    /// newer deployment of the app already waits (it will be promoted in its turn).
    /// </summary>
    public Deployment? PromoteNext(DeploymentRun run)
    {
        if (run.Spec.Promote != PromoteMode.Auto || run.Deployment.Kind == DeploymentKind.Rollback
            || run.Spec.NextEnvironment(run.Env) is not { } next || run.Release is not { } release)
        {
            return null;
        }

        var promotion = deployments.RequestFollowUp(
            new NewDeployment { App = run.App, Env = next, Kind = DeploymentKind.Promote, RequestedRevision = release.Revision },
            "promote:" + release.Id,
            release,
            new PromotionSource(run.Env, release.Id, release.Digest, run.Id));
        if (promotion is null)
        {
            run.Log.Append($"promote: a newer deployment of {run.App} is waiting; release {release.Id} is not promoted to {next}");
        }

        return promotion;
    }

    public async Task RemoveAsync(string app, string releasesRoot, CancellationToken cancellationToken)
    {
        var spec = lookup.Spec(app);
        if (deployments.ActiveDeployment(app) is { } active)
        {
            throw RequestRefusedException.Conflict($"Deployment {active} of {app} is queued or running: cancel it (`slipway cancel {active}`) before removing the app.");
        }

        foreach (var env in spec.Environments)
        {
            await edge.DeleteServiceAsync(ServiceNames.For(app, env), cancellationToken);
            foreach (var generation in store.ListGenerations(app, env))
            {
                if (generation.State is not (GenerationState.Stopped or GenerationState.Failed))
                {
                    await warm.StopAsync(app, env, generation.Number, spec.StopGrace, cancellationToken);
                }
            }
        }

        store.RemoveApp(app);
        specs.Forget(app);
        var trees = Path.Combine(releasesRoot, app);
        if (Directory.Exists(trees))
        {
            // Release trees are read-only by design; make them writable to delete them.
            Slipway.ControlPlane.IO.FileTree.Delete(trees);
        }
    }
}
