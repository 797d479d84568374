using System.Text.Json.Serialization;

namespace Slipway.Edge.Control.Contracts;

/// <summary>
/// What the edge's probes say of a target (<see cref="TargetStatus.Health"/>). On the wire, in the state file and in
/// the admin API it is the lowercase name, whatever serializer options carry it.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<TargetHealth>))]
public enum TargetHealth
{
    /// <summary>Not probed yet, or not since the edge restarted.</summary>
    [JsonStringEnumMemberName("unknown")]
    Unknown,

    [JsonStringEnumMemberName("healthy")]
    Healthy,

    [JsonStringEnumMemberName("unhealthy")]
    Unhealthy,
}
