using System.Text;
using Microsoft.AspNetCore.Http;

namespace Slipway.Edge.Forwarding;

/// <summary>The small plain-text answers the edge gives when it cannot forward a request.</summary>
internal static class ErrorPages
{
    public static string Text(ForwarderError error) => error switch
    {
        ForwarderError.NoRoute => "No app is routed for this host and path.",
        ForwarderError.NoHealthyTarget => "The app has no healthy instance right now. Please try again shortly.",
        ForwarderError.PauseTimeout => "The app is paused. Please try again shortly.",
        ForwarderError.ConnectFailed => "The app did not accept the connection.",
        ForwarderError.ResponseHeadersTimeout => "The app did not answer in time.",
        ForwarderError.RequestFailed => "The app failed to answer.",
        ForwarderError.RequestBodyTooLarge => "The request body is larger than this app accepts.",
        ForwarderError.RequestBodyClient => "The request body could not be read.",
        ForwarderError.UpgradeFailed => "The connection upgrade failed.",
        _ => "The request could not be forwarded.",
    };

    public static async Task WriteAsync(HttpContext context, int statusCode, string text, TimeSpan? retryAfter = null)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = statusCode;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = ((int)Math.Ceiling(delay.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var body = Encoding.UTF8.GetBytes($"{statusCode} {ReasonPhrase(statusCode)}\n{text}\n");
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            try
            {
                await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client left; nothing to answer.
            }
        }
    }

    private static string ReasonPhrase(int statusCode) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(statusCode);
}
