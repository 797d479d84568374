namespace Slipway.ControlPlane.Store;

/// <summary>A registered app: its spec exactly as the user wrote it (YAML or JSON), parsed again when needed.</summary>
internal sealed record AppRecord(string Name, string SpecYaml, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
