using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Slipway.Edge.Forwarding;

/// <summary>
/// The URI a request is sent to: the target's base address followed by the request target exactly as the
/// client sent it. A <see cref="Uri"/> built the ordinary way re-encodes it (<c>/a%zz</c> would become
/// <c>/a%25zz</c>), so the backend would see another path than the one the client asked for.
/// </summary>
internal static class RequestTarget
{
    private static readonly UriCreationOptions Verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    public static Uri For(string targetBase, HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        // Origin form only (not "*" or an absolute URI), printable ASCII without a fragment: anything else is
        // re-encoded from the decoded path, as it cannot be sent byte for byte anyway.
        if (raw is { Length: > 0 } && raw[0] == '/' && raw.AsSpan().IndexOfAnyExceptInRange('!', '~') < 0 && !raw.Contains('#'))
        {
            if (Uri.TryCreate(targetBase + raw, in Verbatim, out var verbatim))
            {
                return verbatim;
            }
        }

        var request = context.Request;
        return RequestUtilities.MakeDestinationAddress(targetBase, request.PathBase.Add(request.Path), request.QueryString);
    }
}
