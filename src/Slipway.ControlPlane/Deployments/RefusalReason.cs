namespace Slipway.ControlPlane.Deployments;

/// <summary>Why the control plane refuses a request (<see cref="RequestRefusedException"/>).</summary>
internal enum RefusalReason
{
    /// <summary>What the request names does not exist: an app, a release, an environment.</summary>
    NotFound,

    /// <summary>The request itself is wrong: a bad spec, conflicting options, a value out of range.</summary>
    Invalid,

    /// <summary>The request is fine but the state does not allow it now: a deployment in the way, a release that never passed.</summary>
    Conflict,
}
