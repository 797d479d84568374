namespace Slipway.ControlPlane.Hosting;

/// <summary>
/// Cached probe state: <c>/healthz</c> and <c>/readyz</c> read two fields, so they answer in constant time
/// whatever the control plane is doing (invariant 10).
/// </summary>
internal sealed class Readiness
{
    private volatile bool _ready;
    private volatile bool _draining;

    public bool Ready => _ready && !_draining;

    public bool Draining => _draining;

    public void MarkReady() => _ready = true;

    public void MarkDraining() => _draining = true;
}
