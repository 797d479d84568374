using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Observability;
using Slipway.Edge.Routing;
using Slipway.Edge.Services;
using Slipway.Edge.Supervision;

namespace Slipway.Edge.Forwarding;

/// <summary>
/// The edge's request entry point: route, hold while paused or without a healthy target, pick and count in
/// a target, forward, retry a failed connect once, and record the outcome.
/// </summary>
public sealed partial class EdgeProxy : IDisposable
{
    private static readonly TimeSpan MaintenanceRetryAfter = TimeSpan.FromSeconds(30);
    private static readonly ImmutableHashSet<string> RetryableMethods =
        ImmutableHashSet.Create(StringComparer.OrdinalIgnoreCase, "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    private readonly ServiceRegistry _registry;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly EdgeMetrics _metrics;
    private readonly TargetForwarder _forwarder;

    /// <param name="trustedProxies">Peers whose forwarding headers are kept and appended to; null: nobody's.</param>
    public EdgeProxy(ServiceRegistry registry, TimeProvider timeProvider, ILoggerFactory loggerFactory, EdgeMetrics metrics, TrustedProxies? trustedProxies = null, PortGuard? portGuard = null)
    {
        _registry = registry;
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger<EdgeProxy>();
        _metrics = metrics;
        _forwarder = new TargetForwarder(timeProvider, loggerFactory, trustedProxies ?? TrustedProxies.None, portGuard ?? PortGuard.None);
    }

    /// <param name="serviceOverride">Route every request to this service regardless of host and path (admin listener).</param>
    public async Task HandleAsync(HttpContext context, string? serviceOverride = null)
    {
        var started = _timeProvider.GetTimestamp();
        var runtime = serviceOverride is null
            ? _registry.Resolve(context.Request.Host.Value ?? "", context.Request.Path.Value ?? "/")
            : _registry.GetRuntime(serviceOverride);
        if (runtime is null)
        {
            var missing = serviceOverride is null ? ForwarderError.NoRoute : ForwarderError.NoHealthyTarget;
            LogNoRoute(_logger, context.Request.Host.Value, context.Request.Path.Value);
            await ErrorPages.WriteAsync(context, ForwarderErrors.StatusCode(missing), ErrorPages.Text(missing)).ConfigureAwait(false);
            _metrics.RequestStarted("");
            _metrics.RequestFinished("", context.Response.StatusCode, missing, _timeProvider.GetElapsedTime(started));
            return;
        }

        var service = runtime.Name;
        _metrics.RequestStarted(service);
        var error = ForwarderError.None;
        try
        {
            error = await ProxyAsync(context, runtime).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ForwarderError.RequestFailed;
            LogUnexpected(_logger, ex, service);
            await FailAsync(context, error).ConfigureAwait(false);
        }
        finally
        {
            var status = error == ForwarderError.ClientAborted ? ForwarderErrors.ClientClosedRequest : context.Response.StatusCode;
            _metrics.RequestFinished(service, status, error, _timeProvider.GetElapsedTime(started));
        }
    }

    public void Dispose() => _forwarder.Dispose();

    // The request path's own async methods (below, and TargetForwarder.ForwardAsync) suspend on every forwarded
    // request; their state machines come from a pool instead of one new box each (bench/edge-profile.sh).

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ForwarderError> ProxyAsync(HttpContext context, ServiceRuntime runtime)
    {
        var cookieState = new CookieState(context);
        var cookie = cookieState.Reader;

        var (lease, holdError) = await AcquireAsync(context, runtime, cookie).ConfigureAwait(false);
        if (lease is null)
        {
            await FailAsync(context, holdError, holdError == ForwarderError.Maintenance ? runtime.Snapshot.Maintenance : null).ConfigureAwait(false);
            return holdError;
        }

        var definition = runtime.Snapshot.Definition;
        var served = lease.Target;
        var error = await ForwardToAsync(context, lease, cookieState, definition).ConfigureAwait(false);
        if (error == ForwarderError.ConnectFailed && CanRetry(context))
        {
            // Nothing of the request reached the first target, so another one may have it.
            var retry = runtime.TryAcquire(cookie, exclude: served);
            if (retry is not null)
            {
                LogRetry(_logger, runtime.Name, served.Id, retry.Target.Id);
                served = retry.Target;
                error = await ForwardToAsync(context, retry, cookieState, definition).ConfigureAwait(false);
            }
        }

        if (error == ForwarderError.ClientAborted)
        {
            LogClientAborted(_logger, runtime.Name, served.Id, ForwarderErrors.ClientClosedRequest, context.Request.Method, context.Request.Path.Value);
        }
        else if (error != ForwarderError.None)
        {
            LogForwardFailed(_logger, runtime.Name, served.Id, ForwarderErrors.Name(error), ForwarderErrors.StatusCode(error), context.Request.Method, context.Request.Path.Value);
            await FailAsync(context, error).ConfigureAwait(false);
        }

        return error;
    }

    /// <summary>
    /// One forward to one counted-in target: the place where a forward completes, with its target and outcome.
    /// The lease is released (the in-flight count drops) when the response is over. The outcome (status, transport
    /// error, latency) is recorded in the target's figures here and nowhere else; canary analysis and the per-target
    /// metrics read them.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ForwarderError> ForwardToAsync(HttpContext context, TargetLease lease, CookieState cookies, ServiceDefinition definition)
    {
        var target = lease.Target;
        ForwarderError error;
        var started = _timeProvider.GetTimestamp();
        using (lease)
        {
            cookies.Set(lease.Cookies);
            error = await _forwarder.ForwardAsync(context, target.BaseAddress, definition, target.StreamsToken).ConfigureAwait(false);
        }

        target.Stats.Record(context.Response.StatusCode, error, _timeProvider.GetElapsedTime(started));

        if (ForwarderErrors.IsTargetFailure(error))
        {
            target.RecordPassiveFailure(definition.Health);
        }

        return error;
    }

    /// <summary>
    /// Gets a counted-in target, holding the request (bounded queue, bounded time) while the service is
    /// paused or has targets of which none is healthy yet.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(TargetLease? Lease, ForwarderError Error)> AcquireAsync(HttpContext context, ServiceRuntime runtime, Func<string, string?> cookie)
    {
        var held = false;
        long holdStarted = 0;
        try
        {
            while (true)
            {
                // Take the change signal before reading the snapshot so a change in between is not missed.
                var changed = runtime.Changed;
                var snapshot = runtime.Snapshot;
                if (snapshot.Maintenance is not null)
                {
                    return (null, ForwarderError.Maintenance);
                }

                if (!snapshot.Paused)
                {
                    var lease = runtime.TryAcquire(cookie, exclude: null);
                    if (lease is not null)
                    {
                        return (lease, ForwarderError.None);
                    }

                    if (!snapshot.HasTargets)
                    {
                        return (null, ForwarderError.NoHealthyTarget);
                    }
                }

                var why = snapshot.Paused ? ForwarderError.PauseTimeout : ForwarderError.NoHealthyTarget;
                if (!held)
                {
                    if (!runtime.TryHold(snapshot.Definition.PauseQueueLimit))
                    {
                        return (null, why);
                    }

                    held = true;
                    holdStarted = _timeProvider.GetTimestamp();
                }

                var remaining = TimeSpan.FromMilliseconds(snapshot.Definition.PauseTimeoutMs) - _timeProvider.GetElapsedTime(holdStarted);
                if (remaining <= TimeSpan.Zero)
                {
                    return (null, why);
                }

                try
                {
                    await changed.WaitAsync(remaining, _timeProvider, context.RequestAborted).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Loop once more: the deadline check answers.
                }
                catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
                {
                    return (null, ForwarderError.ClientAborted);
                }
            }
        }
        finally
        {
            if (held)
            {
                runtime.Unhold();
            }
        }
    }

    private static bool CanRetry(HttpContext context)
    {
        if (context.Response.HasStarted)
        {
            return false;
        }

        var request = context.Request;
        var bodiless = request.ContentLength is null or 0 && !(request.Headers.TransferEncoding.Count > 0);
        return RetryableMethods.Contains(request.Method) || bodiless;
    }

    private static async Task FailAsync(HttpContext context, ForwarderError error, string? message = null)
    {
        if (error is ForwarderError.None or ForwarderError.ClientAborted)
        {
            return;
        }

        if (context.Response.HasStarted)
        {
            // A body that stops early must not look complete: drop the connection instead.
            context.Abort();
            return;
        }

        var retryAfter = error == ForwarderError.Maintenance ? MaintenanceRetryAfter : (TimeSpan?)null;
        await ErrorPages.WriteAsync(context, ForwarderErrors.StatusCode(error), message ?? ErrorPages.Text(error), retryAfter).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "No route for host {Host} path {Path}")]
    private static partial void LogNoRoute(ILogger logger, string? host, string? path);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Service {Service}: connect to {Failed} failed, retrying on {Retry}")]
    private static partial void LogRetry(ILogger logger, string service, string failed, string retry);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Service {Service}: forwarding to {Target} failed ({Error}, {Status}) for {Method} {Path}")]
    private static partial void LogForwardFailed(ILogger logger, string service, string target, string error, int status, string method, string? path);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Service {Service}: client left while forwarding to {Target} ({Status}) for {Method} {Path}")]
    private static partial void LogClientAborted(ILogger logger, string service, string target, int status, string method, string? path);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Service {Service}: unexpected failure while forwarding")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string service);
}
