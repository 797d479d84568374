namespace Slipway.ControlPlane.Store;

/// <summary>One schema step. Versions are dense and increasing; a shipped migration is never edited, only followed.</summary>
internal sealed record Migration(int Version, string Name, string Sql);
