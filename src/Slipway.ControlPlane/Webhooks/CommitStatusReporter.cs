using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Webhooks;

/// <summary>
/// Reports each deployment a push started back to the forge as a commit status on the pushed sha
/// (<c>POST {api}/repos/{owner}/{repo}/statuses/{sha}</c>, the same shape on GitHub, Gitea and Forgejo):
/// <c>pending</c> when queued, then <c>success</c>, <c>failure</c> or <c>error</c> (cancelled, superseded).
/// Best effort: a forge that cannot be reached is logged and never affects the deployment.
/// </summary>
internal sealed partial class CommitStatusReporter(
    HttpClient http, IReadOnlyDictionary<string, CommitStatusTarget> targets, ILogger<CommitStatusReporter> logger)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (Origin Origin, Task Pending)> _origins = new(StringComparer.Ordinal);

    /// <summary>Remembers that <paramref name="deploymentId"/> came from a push, and reports it pending.</summary>
    /// <param name="sourceUrl">
    /// The app's configured <c>source.git</c>: the status goes to that repository, never to one a payload names,
    /// so one app's webhook secret cannot make Slipway's forge token write to other repositories.
    /// </param>
    public Task QueuedAsync(string deploymentId, string app, string forge, string sourceUrl, string sha, CancellationToken cancellationToken)
    {
        var fullName = RepositoryOf(sourceUrl);
        if (fullName is null || !targets.ContainsKey(forge))
        {
            return Task.CompletedTask;
        }

        var origin = new Origin(app, forge, fullName, sha);
        var pending = SendAsync(origin, "pending", $"{deploymentId}: deploying {app}", cancellationToken);
        _origins[deploymentId] = (origin, pending);
        return pending;
    }

    /// <summary>Reports a deployment's outcome when it came from a push; forgets it afterwards.</summary>
    public async Task EndedAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        if (!_origins.TryRemove(deployment.Id, out var tracked))
        {
            return;
        }

        // The outcome must not overtake the pending status on the wire.
        await tracked.Pending.ConfigureAwait(false);
        var origin = tracked.Origin;

        var (state, description) = deployment.Status switch
        {
            DeploymentStatus.Succeeded => ("success", $"deployed to {deployment.App}/{deployment.Env}"),
            DeploymentStatus.Failed => ("failure", $"{deployment.Phase} failed"),
            DeploymentStatus.Superseded => ("error", "superseded by a newer push"),
            _ => ("error", StoreNames.ToText(deployment.Status)),
        };
        await SendAsync(origin, state, $"{deployment.Id}: {description}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>owner/repo</c> of a git URL (the last two path segments, <c>.git</c> dropped), or null.</summary>
    internal static string? RepositoryOf(string sourceUrl)
    {
        var parts = Pipeline.Source.GitUrls.Normalize(sourceUrl).Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 3 && parts[^2..].All(p => p is not ("." or ".."))
            ? Uri.EscapeDataString(parts[^2]) + "/" + Uri.EscapeDataString(parts[^1])
            : null;
    }

    private async Task SendAsync(Origin origin, string state, string description, CancellationToken cancellationToken)
    {
        var target = targets[origin.Forge];
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target.ApiUrl, $"repos/{origin.FullName}/statuses/{origin.Sha}"))
        {
            Content = JsonContent.Create(new
            {
                state,
                context = "slipway/" + origin.App,
                // Forges cap the description (GitHub at 140 characters).
                description = description.Length > 140 ? description[..140] : description,
            }),
        };
        request.Headers.Authorization = origin.Forge == "github"
            ? new AuthenticationHeaderValue("Bearer", target.Token)
            : new AuthenticationHeaderValue("token", target.Token);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.UserAgent.ParseAdd("slipway");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                Log.Refused(logger, origin.Forge, origin.FullName, origin.Sha, (int)response.StatusCode);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Log.Unreachable(logger, origin.Forge, target.ApiUrl.ToString(), e.Message);
        }
    }

    private sealed record Origin(string App, string Forge, string FullName, string Sha);

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "{Forge} refused the commit status for {Repository}@{Sha}: HTTP {Status}")]
        public static partial void Refused(ILogger logger, string forge, string repository, string sha, int status);

        [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Could not report a commit status to {Forge} at {ApiUrl}: {Reason}")]
        public static partial void Unreachable(ILogger logger, string forge, string apiUrl, string reason);
    }
}
