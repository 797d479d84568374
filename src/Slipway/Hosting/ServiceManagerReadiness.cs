using Slipway.Edge.Hosting;

namespace Slipway.Hosting;

/// <summary>
/// <c>Type=notify</c> for <c>slipway up</c> (docs/install.md): READY=1 goes to the service manager only once the
/// edge listens and the control plane answers <c>/readyz</c> through the edge's admin listener, so
/// <c>systemctl start</c> returns when the admin API can be used.
/// </summary>
internal static class ServiceManagerReadiness
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Waits for the control plane, then notifies; returns the line to print (null without a service manager).</summary>
    public static async Task<string?> NotifyWhenReadyAsync(SlipwayStack stack, SystemdNotify? notify, CancellationToken cancellationToken)
    {
        if (notify is null)
        {
            return null;
        }

        // Through the admin listener, not straight to the control plane: that proves both halves answer.
        var readyz = new Uri(stack.Edge.AdminEndpoint is null ? $"{stack.ControlPlaneUrl}/readyz" : $"{stack.AdminUrl}/readyz");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (!await AnswersAsync(http, readyz, cancellationToken))
        {
            await Task.Delay(PollInterval, cancellationToken);
        }

        return notify.Ready($"Serving apps on {stack.HttpUrl}, admin API on {stack.AdminUrl}", out var error)
            ? $"  told the service manager it is ready ({SystemdNotify.Variable}={notify.Socket})"
            : $"slipway: could not notify the service manager: {error}";
    }

    private static async Task<bool> AnswersAsync(HttpClient http, Uri readyz, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(readyz, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
