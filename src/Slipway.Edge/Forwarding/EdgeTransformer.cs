using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace Slipway.Edge.Forwarding;

/// <summary>
/// The edge's rules for one forwarding attempt, on top of YARP's header copy (which drops the hop-by-hop
/// headers of RFC 9110 §7.6.1 and keeps <c>TE: trailers</c> for HTTP/2 clients): headers a message names in
/// <c>Connection</c> are hop-by-hop too, the forwarding headers say what the edge saw
/// (<see cref="ForwardedHeaders"/>) and the request target goes out as the client wrote it
/// (<see cref="RequestTarget"/>). It also keeps the response-headers deadline, as YARP calls
/// <see cref="TransformResponseAsync"/> the moment the headers arrive; <see cref="Token"/> carries that
/// deadline and the target's drain deadline into the forwarder.
/// </summary>
internal sealed class EdgeTransformer : HttpTransformer, IDisposable
{
    private const int Waiting = 0;
    private const int Arrived = 1;
    private const int TimedOut = 2;

    private readonly TrustedProxies _trusted;
    private readonly CancellationTokenSource _cancel;
    private readonly ITimer _headersTimer;
    private int _headers;

    public EdgeTransformer(TrustedProxies trusted, TimeSpan headersTimeout, TimeProvider timeProvider, CancellationToken drainToken)
    {
        _trusted = trusted;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(drainToken);
        _headersTimer = timeProvider.CreateTimer(static state => ((EdgeTransformer)state!).HeadersDeadlinePassed(), this, headersTimeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Cancelled at the target's drain deadline, or when the response headers do not arrive in time.</summary>
    public CancellationToken Token => _cancel.Token;

    public bool HeadersTimedOut => Volatile.Read(ref _headers) == TimedOut;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        var connection = httpContext.Request.Headers.Connection;
        if (!StringValues.IsNullOrEmpty(connection))
        {
            RemoveNamed(connection, proxyRequest.Headers, proxyRequest.Content?.Headers);
        }

        ForwardedHeaders.Apply(httpContext, proxyRequest, _trusted);
        proxyRequest.RequestUri = RequestTarget.For(destinationPrefix, httpContext);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null && Interlocked.CompareExchange(ref _headers, Arrived, Waiting) == Waiting)
        {
            _headersTimer.Dispose();
        }

        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (proxyResponse is not null && proxyResponse.Headers.NonValidated.TryGetValues("Connection", out var named))
        {
            var response = httpContext.Response.Headers;
            foreach (var value in named)
            {
                foreach (var token in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!IsFraming(token))
                    {
                        response.Remove(token);
                    }
                }
            }
        }

        return copyBody;
    }

    public void Dispose()
    {
        _headersTimer.Dispose();
        _cancel.Dispose();
    }

    private void HeadersDeadlinePassed()
    {
        if (Interlocked.CompareExchange(ref _headers, TimedOut, Waiting) != Waiting)
        {
            return;
        }

        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The attempt finished as the deadline passed.
        }
    }

    private static void RemoveNamed(StringValues connection, HttpRequestHeaders headers, HttpContentHeaders? content)
    {
        foreach (var value in connection)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            foreach (var token in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // A name that is not a header token (or one the framing depends on) is left alone.
                if (IsFraming(token) || !IsToken(token))
                {
                    continue;
                }

                headers.Remove(token);
                content?.Remove(token);
            }
        }
    }

    private static bool IsFraming(string name) =>
        name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase);

    private static bool IsToken(string name)
    {
        foreach (var c in name)
        {
            if (c is <= ' ' or >= (char)0x7F or '(' or ')' or ',' or '/' or ':' or ';' or '<' or '=' or '>' or '?' or '@' or '[' or '\\' or ']' or '{' or '}' or '"')
            {
                return false;
            }
        }

        return name.Length > 0;
    }
}
