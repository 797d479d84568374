namespace Slipway.ControlPlane.Runtime.Docker;

/// <summary>One row of <c>GET /containers/json</c>.</summary>
internal sealed record ContainerSummary(string Id, string ImageId, string State, IReadOnlyDictionary<string, string> Labels);
