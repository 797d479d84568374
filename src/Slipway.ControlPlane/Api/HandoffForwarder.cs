using Microsoft.AspNetCore.Http;
using Slipway.ControlPlane.Deployments;

namespace Slipway.ControlPlane.Api;

/// <summary>
/// Passes an admin write that reached the old instance during a self-deploy's handoff to the new one, and answers
/// with what it said. The edge already routes new requests to the new instance; this covers the ones it sent here
/// just before the swap, so a write waits for the new leader instead of being refused (docs/self-deploy.md).
/// The new instance authenticates the request again; nothing here is trusted on the way.
/// </summary>
internal static class HandoffForwarder
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
    })
    {
        // The successor bounds its own wait for the lease (AdminApi.HandoffWait); the caller's abort ends this one.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    // Connection-level headers are the hop's own; Host names this instance, not the successor.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Expect",
    };

    public static async Task ForwardAsync(HttpContext context, Uri successor, CancellationToken cancellationToken)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(successor, request.Path + request.QueryString));
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
            answer = await Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ApiProblem(503, $"follower: this control plane handed the lease to the new one at {successor}, which did not answer ({e.Message}); retry in a moment.");
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
