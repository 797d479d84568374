namespace Slipway.ControlPlane.Runtime;

/// <summary>What a runtime started for a generation.</summary>
/// <param name="Id">The instance id: the store keeps it as the generation's process id, the edge as its target id.</param>
/// <param name="ImageId">The image the instance must be found running during validation; null where there is none.</param>
internal sealed record StartedInstance(string Id, string? ImageId = null);
