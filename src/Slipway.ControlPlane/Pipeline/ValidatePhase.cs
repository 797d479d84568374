using System.Text.Json;
using Slipway.ControlPlane.Runtime;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Health;

namespace Slipway.ControlPlane.Pipeline;

/// <summary>
/// Proves a candidate is the release we built and can serve: health and ready answer 2xx and the
/// version endpoint echoes the expected revision and digest, <see cref="ProbeSpec.Passes"/> times in a
/// row before <see cref="ProbeSpec.Deadline"/>. A candidate that exits or restarts fails at once with its
/// last output lines; one that reports another digest fails at once, since waiting cannot fix it. A container
/// must also run the release's image id and have started during this deployment.
/// </summary>
internal sealed class ValidatePhase(AppRuntimes runtimes, HttpClient http, TimeProvider time)
{
    /// <param name="protocol">The app's <c>protocol</c>: an <c>h2c</c> app is probed over HTTP/2 with prior knowledge.</param>
    public async Task ValidateAsync(Candidate candidate, ProbeSpec probes, string protocol, string revision, string digest, Action<string> log, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + probes.Deadline;
        var passes = 0;
        string? lastFailure = null;
        while (true)
        {
            await FailIfExitedAsync(candidate, cancellationToken);
            var failure = await ProbeOnceAsync(candidate, probes, revision, digest, Http2(protocol), cancellationToken);
            if (failure is null)
            {
                passes++;
                log($"validate: probes passed ({passes}/{probes.Passes})");
                if (passes >= probes.Passes)
                {
                    return;
                }
            }
            else
            {
                passes = 0;
                if (failure != lastFailure)
                {
                    log($"validate: {failure}");
                }

                lastFailure = failure;
            }

            if (time.GetUtcNow() + probes.Interval > deadline)
            {
                throw new DeployFailedException(
                    DeploymentPhase.Validate,
                    $"the candidate did not pass its probes {probes.Passes} times in a row within {Format(probes.Deadline)}; last result: {lastFailure ?? "passing, but too few times"}",
                    null);
            }

            await Task.Delay(probes.Interval, time, cancellationToken);
        }
    }

    private async Task FailIfExitedAsync(Candidate candidate, CancellationToken cancellationToken)
    {
        var runtime = runtimes.ForInstance(candidate.ProcessId);
        var process = await runtime.GetStateAsync(candidate.ProcessId, cancellationToken)
            ?? throw new DeployFailedException(DeploymentPhase.Validate, $"the candidate {candidate.ProcessId} is gone from its runtime", null);
        if (candidate.ImageId is { } expected && process.ImageId != expected)
        {
            throw new DeployFailedException(DeploymentPhase.Validate,
                $"the container runs image {process.ImageId ?? "(none)"}, not the image built for release {candidate.ReleaseId} ({expected}); refusing to promote it", null);
        }

        if (candidate.StartedAfter is { } after && process.StartedAt is { } startedAt && startedAt < after)
        {
            throw new DeployFailedException(DeploymentPhase.Validate,
                $"the container started at {startedAt:O}, before this deployment started it ({after:O}); it is not the candidate", null);
        }

        if (process.Restarts == 0 && process.Running)
        {
            return;
        }

        var output = await runtime.TailAsync(candidate.ProcessId, 20, cancellationToken);
        var how = process.LastExitCode is { } code ? $"exited with code {code}" : $"is {process.StateText}";
        throw new DeployFailedException(
            DeploymentPhase.Validate,
            $"the candidate {how} before it passed validation (restarts: {process.Restarts}); last output:\n{output.TrimEnd()}",
            process.LastExitCode);
    }

    /// <summary>
    /// Every target of the candidate (one for a process or a container; one per running task of a swarm service, all
    /// <see cref="Candidate.Replicas"/> of them) must pass; the first failure is the result.
    /// </summary>
    private async Task<string?> ProbeOnceAsync(Candidate candidate, ProbeSpec probes, string revision, string digest, bool http2, CancellationToken cancellationToken)
    {
        var targets = await runtimes.ForInstance(candidate.ProcessId).TargetsAsync(candidate.ProcessId, candidate.Port, cancellationToken);
        if (targets.Count < candidate.Replicas)
        {
            return $"{targets.Count} of {candidate.Replicas} tasks running";
        }

        foreach (var target in targets)
        {
            if (await ProbeTargetAsync(target.Url.TrimEnd('/'), probes, revision, digest, http2, cancellationToken) is { } failure)
            {
                return targets.Count == 1 ? failure : $"{target.Id}: {failure}";
            }
        }

        return null;
    }

    private async Task<string?> ProbeTargetAsync(string url, ProbeSpec probes, string revision, string digest, bool http2, CancellationToken cancellationToken)
    {
        if (probes.Kind == "grpc")
        {
            // One gRPC health answer stands for health and readiness: SERVING is the service's own word for both.
            if (await GrpcCheckAsync(url, probes, cancellationToken) is { } grpcFailure)
            {
                return $"gRPC health check of '{probes.GrpcService}': {grpcFailure}";
            }
        }
        else
        {
            foreach (var path in new[] { probes.Health, probes.Ready })
            {
                var (status, _, error) = await GetAsync(url + path, probes.Timeout, http2, cancellationToken);
                if (error is not null)
                {
                    return $"{path}: {error}";
                }

                if (status is < 200 or > 299)
                {
                    return $"{path} answered {status}";
                }
            }
        }

        var (versionStatus, body, versionError) = await GetAsync(url + probes.Version, probes.Timeout, http2, cancellationToken);
        if (versionError is not null)
        {
            return $"{probes.Version}: {versionError}";
        }

        if (versionStatus is < 200 or > 299)
        {
            return $"{probes.Version} answered {versionStatus}";
        }

        var (servedRevision, servedDigest) = ReadVersion(body);
        if (servedDigest != digest || servedRevision != revision)
        {
            throw new DeployFailedException(
                DeploymentPhase.Validate,
                $"the candidate serves another build: {probes.Version} reports revision {servedRevision ?? "(none)"} and digest {servedDigest ?? "(none)"}, expected revision {revision} and digest {digest}. Serve the file at SLIPWAY_RELEASE_MANIFEST at {probes.Version}.",
                null);
        }

        return null;
    }

    private static bool Http2(string protocol) => protocol == "h2c";

    private async Task<string?> GrpcCheckAsync(string url, ProbeSpec probes, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(probes.Timeout);
        try
        {
            using var request = GrpcHealthCheck.CreateRequest(url.TrimEnd('/'), probes.GrpcService);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            return await GrpcHealthCheck.ReadAsync(response, cts.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {Format(probes.Timeout)}";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    private async Task<(int Status, string Body, string? Error)> GetAsync(string url, TimeSpan timeout, bool http2, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (http2)
            {
                request.Version = System.Net.HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            }

            using var response = await http.SendAsync(request, cts.Token);
            var body = await response.Content.ReadAsStringAsync(cts.Token);
            return ((int)response.StatusCode, body, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (0, "", $"no answer within {Format(timeout)}");
        }
        catch (HttpRequestException e)
        {
            return (0, "", e.Message);
        }
    }

    private static (string? Revision, string? Digest) ReadVersion(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            return (Text(root, "revision"), Text(root, "digest"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static string Format(TimeSpan span) => span.TotalMilliseconds < 1000 ? $"{span.TotalMilliseconds:0}ms"
        : span.TotalSeconds < 120 ? $"{span.TotalSeconds:0.#}s"
        : $"{span.TotalMinutes:0.#}m";
}
