namespace Slipway.Edge.Forwarding;

/// <summary>What went wrong with one request, recorded as data so metrics, logs and health read it.</summary>
internal enum ForwarderError
{
    None,

    /// <summary>No route matched the host and path.</summary>
    NoRoute,

    /// <summary>The service has no healthy target (after holding the request, if it had targets).</summary>
    NoHealthyTarget,

    /// <summary>The service was paused and the hold ran out (or the hold queue was full).</summary>
    PauseTimeout,

    /// <summary>The service is in maintenance.</summary>
    Maintenance,

    /// <summary>The connection to the target could not be made; nothing was sent.</summary>
    ConnectFailed,

    /// <summary>The target did not answer with headers within the service's limit.</summary>
    ResponseHeadersTimeout,

    /// <summary>Sending the request or reading the response headers failed after connecting.</summary>
    RequestFailed,

    /// <summary>The request body exceeded the service's limit.</summary>
    RequestBodyTooLarge,

    /// <summary>Reading the request body from the client failed.</summary>
    RequestBodyClient,

    /// <summary>The client went away.</summary>
    ClientAborted,

    /// <summary>The target failed while the response body was being copied; the client connection is aborted.</summary>
    ResponseBodyFailed,

    /// <summary>A protocol upgrade (WebSocket) failed after it was accepted.</summary>
    UpgradeFailed,

    /// <summary>The target's drain deadline closed the request.</summary>
    DrainDeadline,
}
