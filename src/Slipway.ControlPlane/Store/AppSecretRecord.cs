namespace Slipway.ControlPlane.Store;

/// <summary>One stored app secret: its name, its value sealed under the master key, and when it was last set.</summary>
internal sealed record AppSecretRecord(string App, string Name, string Sealed, DateTimeOffset UpdatedAt);
