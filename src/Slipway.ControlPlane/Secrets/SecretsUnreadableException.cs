namespace Slipway.ControlPlane.Secrets;

/// <summary>A stored secret does not open with the master key this control plane has.</summary>
internal sealed class SecretsUnreadableException(string message) : Exception(message);
