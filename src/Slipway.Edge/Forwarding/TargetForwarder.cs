using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Hosting;
using Slipway.Edge.Supervision;
using Yarp.ReverseProxy.Forwarder;
using YarpError = Yarp.ReverseProxy.Forwarder.ForwarderError;

namespace Slipway.Edge.Forwarding;

/// <summary>
/// Sends one client request to one target with YARP's <see cref="IHttpForwarder"/> and tells what happened as
/// the edge's <see cref="ForwarderError"/>. Never writes an error page itself: the caller decides (retry, status
/// page, or abort when the response has already started). YARP streams both ways, passes upgrades (WebSocket over
/// HTTP/1.1 and HTTP/2), trailers and <c>100-continue</c>; the edge adds its header rules
/// (<see cref="EdgeTransformer"/>), the response-headers deadline and the drain deadline.
/// </summary>
internal sealed class TargetForwarder : IDisposable
{
    // No idle limit of YARP's own: an SSE stream or a WebSocket may stay quiet for as long as it likes; it ends
    // when either side closes it or at its target's drain deadline. Waiting for headers is bounded per service.
    private static readonly ForwarderRequestConfig Http1 = new()
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        ActivityTimeout = Timeout.InfiniteTimeSpan,
    };

    // HTTP/2 exactly: on an http:// target that is h2c with prior knowledge, on https:// it is ALPN h2.
    private static readonly ForwarderRequestConfig Http2 = new()
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = Timeout.InfiniteTimeSpan,
    };

    private readonly ServiceProvider _services;
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _client;
    private readonly TimeProvider _timeProvider;
    private readonly TrustedProxies _trustedProxies;

    public TargetForwarder(TimeProvider timeProvider, ILoggerFactory loggerFactory, TrustedProxies trustedProxies, PortGuard portGuard)
    {
        _timeProvider = timeProvider;
        _trustedProxies = trustedProxies;
        var services = new ServiceCollection();
        // YARP logs every forwarded request at Information ("Proxying to ..."); the edge logs its own outcomes,
        // so only YARP's warnings and errors go on to the host's loggers.
        services.AddLogging(logging => logging
            .ClearProviders()
            .AddProvider(new HostLoggers(loggerFactory))
            .AddFilter("Yarp", LogLevel.Warning));
        services.AddSingleton(timeProvider);
        services.AddHttpForwarder();
        _services = services.BuildServiceProvider();
        _forwarder = _services.GetRequiredService<IHttpForwarder>();
        _client = new HttpMessageInvoker(CreateHandler(portGuard), disposeHandler: true);
    }

    /// <param name="portGuard">Checks who serves a supervised process's port before anything is sent to it.</param>
    public static SocketsHttpHandler CreateHandler(PortGuard portGuard) => new()
    {
        ConnectCallback = portGuard.ConnectCallback,
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        // Below the backends' keep-alive (Kestrel: 130 s) so the edge closes idle connections first.
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        // gRPC streams are long-lived: more than one connection's worth of streams opens another connection.
        EnableMultipleHttp2Connections = true,
        // The edge is transparent: it does not add trace headers of its own.
        ActivityHeadersPropagator = null,
    };

    /// <summary>
    /// Forwards the request to <paramref name="target"/>. <paramref name="drainToken"/> is the target's drain
    /// deadline: when it fires, a still-open stream ends.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ForwarderError> ForwardAsync(HttpContext context, string target, ServiceDefinition service, CancellationToken drainToken)
    {
        var request = context.Request;
        if (request.ContentLength > service.MaxRequestBodyBytes)
        {
            return ForwarderError.RequestBodyTooLarge;
        }

        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            // Kestrel counts a chunked body too, and fails the read past the limit with a 413.
            sizeFeature.MaxRequestBodySize = service.MaxRequestBodyBytes;
        }

        if (!context.Response.HasStarted)
        {
            // A retry after a failed connect: the first attempt left its 502 on the response.
            context.Response.StatusCode = StatusCodes.Status200OK;
        }

        using var attempt = new EdgeTransformer(_trustedProxies, TimeSpan.FromMilliseconds(service.ResponseHeadersTimeoutMs), _timeProvider, drainToken);
        var config = BackendProtocol.IsHttp2(service.Protocol) ? Http2 : Http1;
        var error = await _forwarder.SendAsync(context, target, _client, config, attempt, attempt.Token).ConfigureAwait(false);
        return error == YarpError.None ? ForwarderError.None : Classify(error, context, attempt, drainToken);
    }

    public void Dispose()
    {
        _client.Dispose();
        _services.Dispose();
    }

    /// <summary>YARP's error, told apart by who ended the request: the client, the drain deadline, the headers deadline, or the target.</summary>
    private static ForwarderError Classify(YarpError error, HttpContext context, EdgeTransformer attempt, CancellationToken drainToken)
    {
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (error == YarpError.RequestBodyClient && IsTooLarge(exception))
        {
            return ForwarderError.RequestBodyTooLarge;
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            return ForwarderError.ClientAborted;
        }

        if (error == YarpError.RequestBodyClient)
        {
            return ForwarderError.RequestBodyClient;
        }

        if (drainToken.IsCancellationRequested)
        {
            return ForwarderError.DrainDeadline;
        }

        if (attempt.HeadersTimedOut)
        {
            return ForwarderError.ResponseHeadersTimeout;
        }

        return error switch
        {
            // Only a connection that never came up is a connect failure: then nothing of the request was sent.
            YarpError.Request when exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
                => ForwarderError.ConnectFailed,
            // Without an idle limit only the connect timeout times a request out, again before anything was sent.
            YarpError.RequestTimedOut => ForwarderError.ConnectFailed,
            YarpError.Request or YarpError.RequestCreation or YarpError.RequestBodyDestination or YarpError.ResponseHeaders
                => ForwarderError.RequestFailed,
            YarpError.ResponseBodyDestination => ForwarderError.ResponseBodyFailed,
            YarpError.UpgradeRequestDestination or YarpError.UpgradeResponseDestination or YarpError.UpgradeActivityTimeout
                => ForwarderError.UpgradeFailed,
            YarpError.NoAvailableDestinations => ForwarderError.NoHealthyTarget,
            // What is left was ended from the client's side (it stopped reading, or reset its stream).
            _ => ForwarderError.ClientAborted,
        };
    }

    private static bool IsTooLarge(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
            {
                return true;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsTooLarge))
            {
                return true;
            }
        }

        return false;
    }
}
