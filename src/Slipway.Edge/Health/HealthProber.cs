using System.Net;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Forwarding;
using Slipway.Edge.Services;
using Slipway.Edge.Supervision;

namespace Slipway.Edge.Health;

/// <summary>
/// Active health checks: one loop per target for the target's whole life. A target that has never been
/// healthy is probed at once and then every <c>min(interval, 250 ms)</c>, so a deploy to an app that is
/// already up swaps within a few hundred milliseconds; after that the service's interval applies.
/// </summary>
internal sealed partial class HealthProber : IDisposable
{
    private static readonly TimeSpan FastInterval = TimeSpan.FromMilliseconds(250);

    private readonly HttpMessageInvoker _client;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public HealthProber(TimeProvider timeProvider, ILogger logger, PortGuard? portGuard = null)
    {
        _timeProvider = timeProvider;
        _logger = logger;
        portGuard ??= PortGuard.None;
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ActivityHeadersPropagator = null,
            // A probe is a request like any other: it goes only to the process a supervised port was handed to.
            ConnectCallback = portGuard.ConnectCallback,
        });
    }

    /// <summary>Starts probing; the loop ends when the target's lifetime token is cancelled.</summary>
    public void Start(Target target, Func<ServiceDefinition> service) =>
        _ = Task.Run(() => RunAsync(target, service, target.LifetimeToken));

    /// <param name="protocol">The service's backend protocol: an h2c app is probed over HTTP/2 too.</param>
    public async Task<ProbeResult> ProbeOnceAsync(Target target, HealthCheckDefinition health, CancellationToken cancellationToken, string protocol = BackendProtocol.Http1)
    {
        var grpc = health.Kind == HealthCheckKind.Grpc;
        var path = grpc ? GrpcHealthCheck.Path : health.Path.StartsWith('/') ? health.Path : "/" + health.Path;
        var what = grpc ? $"gRPC health check of '{health.GrpcService}'" : $"GET {path}";
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(1, health.TimeoutMs)), _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var request = grpc ? GrpcHealthCheck.CreateRequest(target.BaseAddress, health.GrpcService) : new HttpRequestMessage(HttpMethod.Get, target.BaseAddress + path);
            if (!grpc && BackendProtocol.IsHttp2(protocol))
            {
                request.Version = HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            }

            request.Headers.TryAddWithoutValidation("User-Agent", "slipway-edge-health");
            using var response = await _client.SendAsync(request, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var error = grpc
                ? await GrpcHealthCheck.ReadAsync(response, linked.Token).ConfigureAwait(false) is { } answer ? $"{what} {answer}" : null
                : status is >= 200 and < 300 ? null : $"{what} answered {status}";
            return new ProbeResult
            {
                Target = target.Id,
                Ok = error is null,
                Status = status,
                Error = error,
                At = _timeProvider.GetUtcNow(),
            };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Failed(target, $"{what} timed out after {health.TimeoutMs} ms");
        }
        catch (HttpRequestException ex)
        {
            return Failed(target, $"{what} failed: {ex.Message}");
        }
    }

    public void Dispose() => _client.Dispose();

    private ProbeResult Failed(Target target, string error) =>
        new() { Target = target.Id, Ok = false, Error = error, At = _timeProvider.GetUtcNow() };

    private async Task RunAsync(Target target, Func<ServiceDefinition> service, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var current = service();
                var definition = current.Health;
                var before = target.Health.State;
                var result = await ProbeOnceAsync(target, definition, cancellationToken, current.Protocol).ConfigureAwait(false);
                target.RecordProbe(result, definition);
                var after = target.Health.State;
                if (after != before)
                {
                    LogHealthChanged(_logger, target.Id, after, result.Error ?? "");
                }

                var interval = TimeSpan.FromMilliseconds(Math.Max(10, definition.IntervalMs));
                var delay = target.Health.HasBeenHealthy ? interval : TimeSpan.FromTicks(Math.Min(interval.Ticks, FastInterval.Ticks));
                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The target left the edge (or the edge is shutting down and disposed the probe client).
        }
        catch (Exception ex)
        {
            LogProbeLoopFailed(_logger, ex, target.Id);
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Target {TargetId} is now {State}. {Error}")]
    private static partial void LogHealthChanged(ILogger logger, string targetId, TargetHealth state, string error);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Error, Message = "Health probe loop for target {TargetId} failed")]
    private static partial void LogProbeLoopFailed(ILogger logger, Exception exception, string targetId);
}
