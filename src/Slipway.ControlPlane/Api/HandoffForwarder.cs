using Microsoft.AspNetCore.Http;
using Slipway.ControlPlane.Deployments;
using Slipway.Edge.Supervision;

namespace Slipway.ControlPlane.Api;

/// <summary>
/// Passes an admin write that reached the old instance during a self-deploy's handoff to the new one, and answers
/// with what it said. The edge already routes new requests to the new instance; this covers the ones it sent here
/// just before the swap, so a write waits for the new leader instead of being refused (docs/self-deploy.md).
/// The new instance authenticates the request again; nothing here is trusted on the way.
/// </summary>
internal static class HandoffForwarder
{
    // Connection-level headers are the hop's own; Host names this instance, not the successor.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Expect",
    };

    public static async Task ForwardAsync(HttpContext context, HandoffSuccessor successor, CancellationToken cancellationToken)
    {
        // The port is the candidate's, checked like the edge checks it (PortGuard): a process that took it in the
        // meantime gets no bearer token. The successor bounds its own wait for the lease (AdminApi.HandoffWait);
        // the caller's abort ends this one. A handoff lasts seconds, so a client per write costs nothing worth keeping.
        var guard = successor.Claim is { } claim ? PortGuard.For(successor.Url.Port, claim) : PortGuard.None;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectCallback = guard.ConnectCallback,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(successor.Url, request.Path + request.QueryString));
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            message.Content = new StreamContent(request.Body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (NotForwarded.Contains(name))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        HttpResponseMessage answer;
        try
        {
            answer = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ApiProblem(503, $"follower: this control plane handed the lease to the new one at {successor.Url}, which did not answer ({e.Message}); retry in a moment.");
        }

        using (answer)
        {
            var response = context.Response;
            response.StatusCode = (int)answer.StatusCode;
            foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
            {
                if (!NotForwarded.Contains(name))
                {
                    response.Headers[name] = values.ToArray();
                }
            }

            await using var body = await answer.Content.ReadAsStreamAsync(cancellationToken);
            await body.CopyToAsync(response.Body, cancellationToken);
        }
    }
}

/// <summary>
/// Where writes go during a self-deploy's handoff: the candidate's admin URL and the supervised process its port was
/// handed to (null when the edge did not say, and then the port is not checked).
/// </summary>
internal sealed record HandoffSuccessor(Uri Url, PortClaim? Claim);
