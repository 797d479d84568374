using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Slipway.Edge.Control.Contracts;

namespace Slipway.Edge.Forwarding;

/// <summary>
/// Sends one client request to one target and copies the answer back, streaming both ways. Never writes
/// an error response itself: it returns a <see cref="ForwarderError"/> and the caller decides (retry,
/// status page, or abort when the response has already started).
/// </summary>
internal sealed class HttpForwarder : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly HttpMessageInvoker _client;
    private readonly TimeProvider _timeProvider;

    public HttpForwarder(TimeProvider timeProvider)
        : this(timeProvider, CreateHandler())
    {
    }

    public HttpForwarder(TimeProvider timeProvider, HttpMessageHandler handler)
    {
        _timeProvider = timeProvider;
        _client = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public static SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        // Below the backends' keep-alive (Kestrel: 130 s) so the edge closes idle connections first.
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        EnableMultipleHttp2Connections = true,
        // The edge is transparent: it does not add trace headers of its own.
        ActivityHeadersPropagator = null,
    };

    /// <summary>
    /// Forwards the request to <paramref name="targetBase"/>. <paramref name="drainToken"/> is the target's
    /// drain deadline: when it fires, a still-open stream ends.
    /// </summary>
    public async Task<ForwarderError> ForwardAsync(HttpContext context, string targetBase, ServiceDefinition service, CancellationToken drainToken)
    {
        var request = context.Request;
        if (request.ContentLength > service.MaxRequestBodyBytes)
        {
            return ForwarderError.RequestBodyTooLarge;
        }

        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = service.MaxRequestBodyBytes;
        }

        var upgradeFeature = context.Features.Get<IHttpUpgradeFeature>();
        var isUpgrade = upgradeFeature is { IsUpgradableRequest: true } && !StringValues.IsNullOrEmpty(request.Headers.Upgrade);

        // One token source per request: the client leaving, the drain deadline and, until the headers
        // arrive, the headers timeout all cancel it. Which one fired is told apart afterwards.
        using var requestCts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, drainToken);
        var headersTimer = _timeProvider.CreateTimer(
            static state => CancelQuietly((CancellationTokenSource)state!),
            requestCts,
            TimeSpan.FromMilliseconds(service.ResponseHeadersTimeoutMs),
            Timeout.InfiniteTimeSpan);

        using var outgoing = CreateRequest(context, targetBase, isUpgrade, service.MaxRequestBodyBytes, out var content);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(outgoing, requestCts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            headersTimer.Dispose();
            return SendError(ex, content, context, drainToken, HeadersTimedOut(requestCts, context, drainToken));
        }

        using (response)
        {
            headersTimer.Dispose();
            if (HeadersTimedOut(requestCts, context, drainToken))
            {
                // The limit passed just as the headers came in; the token may already have cut the body.
                return ForwarderError.ResponseHeadersTimeout;
            }

            if (isUpgrade && response.StatusCode == HttpStatusCode.SwitchingProtocols)
            {
                return await UpgradeTunnel.RunAsync(context, upgradeFeature!, response, requestCts.Token, drainToken).ConfigureAwait(false);
            }

            CopyResponseHeaders(context, response);
            return await CopyResponseBodyAsync(context, response, requestCts.Token, drainToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _client.Dispose();

    // The timer may fire while the request is finishing and its token source is being disposed.
    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static bool HeadersTimedOut(CancellationTokenSource requestCts, HttpContext context, CancellationToken drainToken) =>
        requestCts.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested && !drainToken.IsCancellationRequested;

    internal static HttpRequestMessage CreateRequest(HttpContext context, string targetBase, bool isUpgrade, long bodyLimit, out StreamingRequestContent? content)
    {
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var pathAndQuery = rawTarget is { Length: > 0 } && rawTarget[0] == '/'
            ? rawTarget
            : request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent();

        var outgoing = new HttpRequestMessage(HttpMethod.Parse(request.Method), targetBase + pathAndQuery)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = isUpgrade ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
        };

        content = null;
        if (!isUpgrade && HasBody(context))
        {
            content = new StreamingRequestContent(request.Body, bodyLimit);
            outgoing.Content = content;
        }

        var connectionNamed = HopByHopHeaders.NamedIn(request.Headers.Connection);
        foreach (var (name, values) in request.Headers)
        {
            if (name.StartsWith(':') || HopByHopHeaders.IsHopByHop(name) || connectionNamed.Contains(name))
            {
                continue;
            }

            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                outgoing.Headers.Host = values.ToString();
                continue;
            }

            if (name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase) && !name.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase))
            {
                // The edge is the first proxy that terminates the client connection; it states proto and host.
                continue;
            }

            if (name.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var added = values.Count == 1
                ? outgoing.Headers.TryAddWithoutValidation(name, values.ToString())
                : outgoing.Headers.TryAddWithoutValidation(name, values.ToArray());
            if (!added && content is not null)
            {
                _ = values.Count == 1
                    ? content.Headers.TryAddWithoutValidation(name, values.ToString())
                    : content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        if (string.IsNullOrEmpty(outgoing.Headers.Host) && request.Host.HasValue)
        {
            outgoing.Headers.Host = request.Host.Value;
        }

        var remote = context.Connection.RemoteIpAddress;
        var existingFor = request.Headers["X-Forwarded-For"];
        var client = remote is null ? null : (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote).ToString();
        var forwardedFor = StringValues.IsNullOrEmpty(existingFor)
            ? client
            : client is null ? existingFor.ToString() : $"{existingFor}, {client}";
        if (forwardedFor is not null)
        {
            outgoing.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        outgoing.Headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        if (request.Host.HasValue)
        {
            outgoing.Headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.Value);
        }

        if (isUpgrade)
        {
            outgoing.Headers.TryAddWithoutValidation("Connection", "Upgrade");
            outgoing.Headers.TryAddWithoutValidation("Upgrade", request.Headers.Upgrade.ToArray());
        }

        return outgoing;
    }

    internal static void CopyResponseHeaders(HttpContext context, HttpResponseMessage response, bool keepUpgrade = false)
    {
        var target = context.Response;
        target.StatusCode = (int)response.StatusCode;
        // NonValidated: the validated view would parse every header value on the way.
        var connectionNamed = response.Headers.NonValidated.TryGetValues("Connection", out var c)
            ? HopByHopHeaders.NamedIn(Values(c))
            : HopByHopHeaders.NamedIn(StringValues.Empty);
        foreach (var header in response.Headers.NonValidated)
        {
            if (!Skip(header.Key))
            {
                target.Headers.Append(header.Key, Values(header.Value));
            }
        }

        if (response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotModified)
        {
            return;
        }

        foreach (var header in response.Content.Headers.NonValidated)
        {
            if (!Skip(header.Key))
            {
                target.Headers.Append(header.Key, Values(header.Value));
            }
        }

        // A 101 must tell the client which protocol it switched to; Kestrel adds "Connection: Upgrade" itself.
        bool Skip(string name) =>
            !(keepUpgrade && name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase))
            && (HopByHopHeaders.IsHopByHop(name) || connectionNamed.Contains(name));
    }

    private static StringValues Values(System.Net.Http.Headers.HeaderStringValues values) =>
        values.Count == 1 ? new StringValues(values.ToString()) : new StringValues([.. values]);

    private static bool HasBody(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is { } length)
        {
            return length > 0;
        }

        return context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? false;
    }

    private static ForwarderError SendError(Exception ex, StreamingRequestContent? content, HttpContext context, CancellationToken drainToken, bool headersTimedOut)
    {
        if (content is { TooLarge: true } || ex.InnerException is RequestBodyTooLargeException || ex is RequestBodyTooLargeException)
        {
            return ForwarderError.RequestBodyTooLarge;
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            return ForwarderError.ClientAborted;
        }

        if (content?.ClientError is not null)
        {
            return ForwarderError.RequestBodyClient;
        }

        if (drainToken.IsCancellationRequested)
        {
            return ForwarderError.DrainDeadline;
        }

        if (headersTimedOut)
        {
            return ForwarderError.ResponseHeadersTimeout;
        }

        if (ex is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } && content is not { Started: true })
        {
            return ForwarderError.ConnectFailed;
        }

        return ForwarderError.RequestFailed;
    }

    private static async Task<ForwarderError> CopyResponseBodyAsync(HttpContext context, HttpResponseMessage response, CancellationToken token, CancellationToken drainToken)
    {
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var backend = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        var client = context.Response.Body;
        if (response.Content.Headers.ContentLength is null)
        {
            // A streamed answer (SSE, chunked): the client sees the headers before the first event.
            try
            {
                await context.Response.StartAsync(token).ConfigureAwait(false);
            }
            catch (Exception) when (context.RequestAborted.IsCancellationRequested || token.IsCancellationRequested)
            {
                return drainToken.IsCancellationRequested ? ForwarderError.DrainDeadline : ForwarderError.ClientAborted;
            }
        }

        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await backend.ReadAsync(buffer.AsMemory(0, BufferSize), token).ConfigureAwait(false);
                }
                catch (Exception) when (token.IsCancellationRequested)
                {
                    return drainToken.IsCancellationRequested ? ForwarderError.DrainDeadline : ForwarderError.ClientAborted;
                }
                catch (Exception)
                {
                    return ForwarderError.ResponseBodyFailed;
                }

                if (read == 0)
                {
                    return ForwarderError.None;
                }

                try
                {
                    // Kestrel's response stream flushes on every write, so events reach the client as they arrive.
                    await client.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    return drainToken.IsCancellationRequested ? ForwarderError.DrainDeadline : ForwarderError.ClientAborted;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
