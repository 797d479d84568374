using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Slipway.ControlPlane.Api;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.ControlPlane.Deployments;
using Slipway.ControlPlane.Pipeline.Source;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Webhooks;

/// <summary>
/// Turns a forge's push delivery into deploys of exactly the pushed commit: the signature is checked against
/// every app's webhook secret (so nothing unsigned is even parsed for routing), a delivery id already answered
/// gets the same answer again, and only a push to the branch an app deploys (or a tag, when it asks for tags)
/// queues anything. Everything else is answered with what was ignored and why.
/// </summary>
internal sealed class WebhookReceiver(SlipwayStore store, AppOperations apps, WebhookSecrets secrets, CommitStatusReporter? statuses = null)
{
    /// <summary>Push payloads of large merges stay well under this; anything bigger is refused before it is read whole.</summary>
    public const int MaxBodyBytes = 5 * 1024 * 1024;

    // Check, act and record of one delivery id happen together, so a delivery sent twice at once still queues once.
    private readonly Lock _gate = new();

    public WebhookResult Receive(ForgeKind forge, IHeaderDictionary headers, byte[] body)
    {
        var signature = forge.Signature(headers);
        if (signature is null)
        {
            return Unauthorized($"No signature: set a secret on the webhook in {forge.Name} (the one given to `slipway webhooks secret APP`) so it sends {forge.SignatureHeaders[0]}.");
        }

        var signedFor = secrets.All()
            .Where(s => WebhookSignature.Verify(s.Value, body, signature, forge.SignaturePrefix))
            .Select(s => s.Key)
            .ToHashSet(StringComparer.Ordinal);
        if (signedFor.Count == 0)
        {
            return Unauthorized($"The {forge.SignatureHeaders[0]} signature does not match the webhook secret of any app: check the secret in {forge.Name} and `slipway webhooks secret APP`.");
        }

        var eventName = forge.Event(headers) ?? "";
        var delivery = forge.Delivery(headers);
        lock (_gate)
        {
            if (delivery is { Length: > 0 } && store.FindWebhookDelivery(forge.Name, delivery) is { } earlier)
            {
                return new WebhookResult(earlier.Status, earlier.AnswerJson, Replayed: true);
            }

            var (status, answer) = Handle(forge, eventName, body, signedFor);
            var json = JsonSerializer.Serialize(answer, AdminApi.Json);
            if (delivery is { Length: > 0 and <= 200 })
            {
                store.RecordWebhookDelivery(forge.Name, delivery, eventName, status, json);
            }

            return new WebhookResult(status, json, Replayed: false);
        }
    }

    private (int Status, WebhookAnswer Answer) Handle(ForgeKind forge, string eventName, byte[] body, IReadOnlySet<string> signedFor)
    {
        if (eventName == "ping")
        {
            return (200, new WebhookAnswer { Message = "pong: the signature checks out; pushes to this repository will deploy its apps" });
        }

        if (eventName != "push")
        {
            return Ignored(new WebhookIgnored { Reason = $"event '{eventName}' is not a push; only push events deploy (untick the others in the webhook settings)" });
        }

        if (PushEvent.Parse(body, out var problem) is not { } push)
        {
            return (400, new WebhookAnswer { Message = problem! });
        }

        var matched = signedFor
            .Select(app => (App: app, Spec: TrySpec(app)))
            .Where(x => x.Spec?.Source?.Git is { } url && Matches(url, push))
            .ToList();
        if (matched.Count == 0)
        {
            return Ignored(new WebhookIgnored { Reason = $"no app whose webhook secret signed this delivery deploys repository '{push.FullName ?? (push.RepositoryUrls.Count > 0 ? push.RepositoryUrls[0] : "?")}' (compare the app's source.git with the repository URL)" });
        }

        var deployments = new List<WebhookDeployment>();
        var ignored = new List<WebhookIgnored>();
        foreach (var (app, spec) in matched)
        {
            var source = spec!.Source!;
            var reason = Skip(push, source);
            if (reason is not null)
            {
                ignored.Add(new WebhookIgnored { App = app, Reason = reason });
                continue;
            }

            try
            {
                var (deployment, coalesced) = apps.Deploy(app, new DeployRequest { Revision = push.After });
                deployments.Add(new WebhookDeployment { App = app, Env = deployment.Env, Id = deployment.Id, Revision = push.After, Coalesced = coalesced });
                if (!coalesced && statuses is not null)
                {
                    // Reported in the background: the forge waits for this answer, not for its own API.
                    _ = Task.Run(() => statuses.QueuedAsync(deployment.Id, app, forge.Name, push.FullName, push.After, CancellationToken.None));
                }
            }
            catch (ApiProblem e)
            {
                ignored.Add(new WebhookIgnored { App = app, Reason = e.Message });
            }
        }

        if (deployments.Count == 0)
        {
            return Ignored([.. ignored]);
        }

        return (202, new WebhookAnswer
        {
            Message = $"deploying {push.After} to {string.Join(", ", deployments.Select(d => d.App + "/" + d.Env))}",
            Deployments = deployments,
            Ignored = ignored,
        });
    }

    /// <summary>Why this push deploys nothing for an app with <paramref name="source"/>, or null when it deploys.</summary>
    internal static string? Skip(PushEvent push, SourceSpec source)
    {
        if (GitRevisions.IsZero(push.After))
        {
            return $"'{push.Ref}' was deleted; a deletion deploys nothing";
        }

        if (!GitRevisions.IsFullSha(push.After))
        {
            return $"'after' is '{push.After}', not a commit sha";
        }

        if (push.Ref.StartsWith(PushEvent.BranchPrefix, StringComparison.Ordinal))
        {
            var branch = push.Ref[PushEvent.BranchPrefix.Length..];
            return branch == source.Branch ? null : $"push to branch '{branch}'; the app deploys branch '{source.Branch}'";
        }

        if (push.Ref.StartsWith(PushEvent.TagPrefix, StringComparison.Ordinal))
        {
            return source.DeployTags ? null : $"push of tag '{push.Ref[PushEvent.TagPrefix.Length..]}'; the app does not deploy tags (source.deploy_tags: true would)";
        }

        return $"push to '{push.Ref}', which is neither a branch nor a tag";
    }

    /// <summary>The app's source is the pushed repository: the same URL, or a path ending in the repository's full name.</summary>
    internal static bool Matches(string sourceUrl, PushEvent push)
    {
        var source = GitUrls.Normalize(sourceUrl);
        if (push.RepositoryUrls.Any(u => GitUrls.Normalize(u) == source))
        {
            return true;
        }

        return push.FullName is { Length: > 0 } name && name.Contains('/', StringComparison.Ordinal)
            && source.EndsWith("/" + name.ToLowerInvariant(), StringComparison.Ordinal);
    }

    private AppSpec? TrySpec(string app)
    {
        try
        {
            return apps.Spec(app);
        }
        catch (Exception e) when (e is ApiProblem or SpecException)
        {
            return null;
        }
    }

    private static (int, WebhookAnswer) Ignored(params WebhookIgnored[] ignored) =>
        (200, new WebhookAnswer { Message = "nothing to deploy: " + string.Join("; ", ignored.Select(i => (i.App is null ? "" : i.App + ": ") + i.Reason)), Ignored = ignored });

    private static WebhookResult Unauthorized(string message) =>
        new(401, JsonSerializer.Serialize(new ApiError { Error = message }, AdminApi.Json), Replayed: false);
}
