using Slipway.Edge.Control.Contracts;

namespace Slipway.ControlPlane.Dashboard.EdgeCharts;

/// <summary>What the edge page shows: the services as last read, each one's recent traffic, and the last sampling error.</summary>
internal sealed record EdgeSnapshot(
    DateTimeOffset? SampledAt,
    IReadOnlyList<ServiceStatus> Services,
    IReadOnlyDictionary<string, RingBuffer<ServicePoint>> Series,
    string? Error)
{
    public static readonly EdgeSnapshot Empty = new(null, [], new Dictionary<string, RingBuffer<ServicePoint>>(), null);
}
