namespace Slipway.Edge.Forwarding;

/// <summary>The explicit status map and names of <see cref="ForwarderError"/>.</summary>
internal static class ForwarderErrors
{
    /// <summary>499 is not sent to anyone: it is what metrics and logs record for a client that left.</summary>
    public const int ClientClosedRequest = 499;

    public static int StatusCode(ForwarderError error) => error switch
    {
        ForwarderError.None => 200,
        ForwarderError.NoRoute => 404,
        ForwarderError.NoHealthyTarget => 503,
        ForwarderError.PauseTimeout => 503,
        ForwarderError.Maintenance => 503,
        ForwarderError.ConnectFailed => 502,
        ForwarderError.ResponseHeadersTimeout => 504,
        ForwarderError.RequestFailed => 502,
        ForwarderError.RequestBodyTooLarge => 413,
        ForwarderError.RequestBodyClient => 400,
        ForwarderError.ClientAborted => ClientClosedRequest,
        ForwarderError.ResponseBodyFailed => 502,
        ForwarderError.UpgradeFailed => 502,
        ForwarderError.DrainDeadline => 503,
        _ => 500,
    };

    public static string Name(ForwarderError error) => error switch
    {
        ForwarderError.None => "none",
        ForwarderError.NoRoute => "no_route",
        ForwarderError.NoHealthyTarget => "no_healthy_target",
        ForwarderError.PauseTimeout => "pause_timeout",
        ForwarderError.Maintenance => "maintenance",
        ForwarderError.ConnectFailed => "connect_failed",
        ForwarderError.ResponseHeadersTimeout => "response_headers_timeout",
        ForwarderError.RequestFailed => "request_failed",
        ForwarderError.RequestBodyTooLarge => "request_body_too_large",
        ForwarderError.RequestBodyClient => "request_body_client",
        ForwarderError.ClientAborted => "client_aborted",
        ForwarderError.ResponseBodyFailed => "response_body_failed",
        ForwarderError.UpgradeFailed => "upgrade_failed",
        ForwarderError.DrainDeadline => "drain_deadline",
        _ => "unknown",
    };

    /// <summary>Errors that count as a passive health failure of the target.</summary>
    public static bool IsTargetFailure(ForwarderError error) =>
        error is ForwarderError.ConnectFailed or ForwarderError.ResponseHeadersTimeout or ForwarderError.RequestFailed or ForwarderError.ResponseBodyFailed;
}
