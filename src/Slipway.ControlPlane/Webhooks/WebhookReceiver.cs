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
/// <remarks>
/// The signature covers the body, not the delivery id, so a captured delivery can be sent again under a new id. A
/// push therefore deploys only while its <c>after</c> is still what the branch (or tag) points to in the repository
/// itself: resending an old push is journaled (<c>webhook.ignored</c>) and answered 200 with the reason.
/// </remarks>
internal sealed class WebhookReceiver(
    SlipwayStore store, AppRequests apps, AppQueries queries, WebhookSecrets secrets, CommitStatusReporter? statuses = null, WebhookReceiver.TipReader? tips = null)
{
    /// <summary>Push payloads of large merges stay well under this; anything bigger is refused before it is read whole.</summary>
    public const int MaxBodyBytes = 5 * 1024 * 1024;

    /// <summary>Forges send a UUID; anything longer is not a delivery id.</summary>
    public const int MaxDeliveryIdLength = 200;

    /// <summary>What <c>reference</c> points to now in the app's repository (object and peeled commit), empty when it does not exist, null when unreachable.</summary>
    public delegate Task<IReadOnlyList<string>?> TipReader(string app, string url, string reference, CancellationToken cancellationToken);

    // Check, act and record of one delivery id happen together, so a delivery sent twice at once still queues once.
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// At most this many deliveries are read and checked at once; more get 429 at once. Signature checks cost CPU and
    /// the body up to 5 MiB of memory before anything is known about the sender.
    /// </summary>
    public const int MaxConcurrent = 4;

    private readonly SemaphoreSlim _slots = new(MaxConcurrent, MaxConcurrent);

    /// <param name="app">
    /// The app named in the URL (<c>/api/v1/webhooks/{forge}/{app}</c>): only its secret is tried. Null on the older
    /// URL without an app, where every app's secret is tried.
    /// </param>
    public async Task<WebhookResult> ReceiveAsync(
        ForgeKind forge, string? app, IHeaderDictionary headers, Stream body, long? contentLength, CancellationToken cancellationToken)
    {
        if (contentLength > MaxBodyBytes)
        {
            throw new ApiProblem(413, $"The request body is larger than {MaxBodyBytes / (1024 * 1024)} MiB.");
        }

        var signature = forge.Signature(headers);
        if (signature is null)
        {
            return Unauthorized($"No signature: set a secret on the webhook in {forge.Name} (the one given to `slipway webhooks secret APP`) so it sends {forge.SignatureHeaders[0]}.");
        }

        if (!_slots.Wait(0, CancellationToken.None))
        {
            return new WebhookResult(429, JsonSerializer.Serialize(new ApiError
            {
                Error = $"{MaxConcurrent} deliveries are being checked already; the forge retries this one later",
            }, AdminApi.Json), Replayed: false);
        }

        try
        {
            var candidates = app is null ? secrets.All() : secrets.For(app);
            var signed = await SignedBody.ReadAsync(body, contentLength, MaxBodyBytes, candidates, signature, forge.SignaturePrefix, cancellationToken).ConfigureAwait(false);
            if (signed.SignedFor.Count == 0)
            {
                return Unauthorized(app is null
                    ? $"The {forge.SignatureHeaders[0]} signature does not match the webhook secret of any app: check the secret in {forge.Name} and `slipway webhooks secret APP`."
                    : $"The {forge.SignatureHeaders[0]} signature does not match the webhook secret of app '{app}': check the secret in {forge.Name} and `slipway webhooks secret {app}`.");
            }

            return await ReceiveSignedAsync(forge, headers, signed.Bytes, signed.SignedFor, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<WebhookResult> ReceiveSignedAsync(
        ForgeKind forge, IHeaderDictionary headers, ReadOnlyMemory<byte> body, IReadOnlySet<string> signedFor, CancellationToken cancellationToken)
    {
        var eventName = forge.Event(headers) ?? "";
        var delivery = forge.Delivery(headers);
        if (delivery is not { Length: > 0 and <= MaxDeliveryIdLength } || delivery.Any(char.IsControl))
        {
            // Without an id a delivery cannot be recorded, so it could not be told from its own replay.
            return new WebhookResult(400, JsonSerializer.Serialize(new ApiError
            {
                Error = $"{forge.DeliveryHeaders[0]}: every delivery needs an id of 1 to {MaxDeliveryIdLength} printable characters (the forge sends one; a proxy in between must keep the header)",
            }, AdminApi.Json), Replayed: false);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (store.FindWebhookDelivery(forge.Name, delivery) is { } earlier)
            {
                return new WebhookResult(earlier.Status, earlier.AnswerJson, Replayed: true);
            }

            var (status, answer) = await HandleAsync(forge, eventName, delivery, body, signedFor, cancellationToken).ConfigureAwait(false);
            var json = JsonSerializer.Serialize(answer, AdminApi.Json);
            store.RecordWebhookDelivery(forge.Name, delivery, eventName, status, json);
            return new WebhookResult(status, json, Replayed: false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<(int Status, WebhookAnswer Answer)> HandleAsync(
        ForgeKind forge, string eventName, string delivery, ReadOnlyMemory<byte> body, IReadOnlySet<string> signedFor, CancellationToken cancellationToken)
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
            var reason = Skip(push, source) ?? await NotTheTipAsync(app, source, push, cancellationToken).ConfigureAwait(false);
            if (reason is not null)
            {
                ignored.Add(new WebhookIgnored { App = app, Reason = reason });
                store.AppendEvent(EventTypes.WebhookIgnored, app, null, null, new { forge = forge.Name, delivery, @ref = push.Ref, revision = push.After, reason });
                continue;
            }

            try
            {
                var (deployment, coalesced) = apps.Deploy(app, new DeployRequest { Revision = push.After });
                deployments.Add(new WebhookDeployment { App = app, Env = deployment.Env, Id = deployment.Id, Revision = push.After, Coalesced = coalesced });
                if (!coalesced && statuses is not null)
                {
                    // Reported in the background: the forge waits for this answer, not for its own API.
                    _ = Task.Run(() => statuses.QueuedAsync(deployment.Id, app, forge.Name, source.Git!, push.After, CancellationToken.None), CancellationToken.None);
                }
            }
            catch (RequestRefusedException e)
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

    /// <summary>
    /// Why <paramref name="push"/> is not what its ref points to now (an old or replayed delivery, or a ref
    /// that moved on since), or null when it is.
    /// </summary>
    private async Task<string?> NotTheTipAsync(string app, SourceSpec source, PushEvent push, CancellationToken cancellationToken)
    {
        if (tips is null)
        {
            return null;
        }

        var current = await tips(app, source.Git!, push.Ref, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return $"could not ask {GitUrls.Redact(source.Git!)} where '{push.Ref}' points now, so the push is not known to be current; deploy it with `slipway deploy {app} --rev {push.After}`";
        }

        if (current.Contains(push.After, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        return current.Count == 0
            ? $"'{push.Ref}' does not exist in the repository; an old or replayed delivery deploys nothing"
            : $"revision {push.After} is not the current tip of '{push.Ref}' (now {current[^1]}); an old or replayed delivery deploys nothing";
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
            return queries.Spec(app);
        }
        catch (Exception e) when (e is RequestRefusedException or SpecException)
        {
            return null;
        }
    }

    private static (int, WebhookAnswer) Ignored(params WebhookIgnored[] ignored) =>
        (200, new WebhookAnswer { Message = "nothing to deploy: " + string.Join("; ", ignored.Select(i => (i.App is null ? "" : i.App + ": ") + i.Reason)), Ignored = ignored });

    private static WebhookResult Unauthorized(string message) =>
        new(401, JsonSerializer.Serialize(new ApiError { Error = message }, AdminApi.Json), Replayed: false);
}
