namespace Slipway.ControlPlane.Store;

/// <summary>What a token may do: an <see cref="Admin"/> changes things, a <see cref="Viewer"/> only reads.</summary>
internal enum TokenRole
{
    Admin,
    Viewer,
}
