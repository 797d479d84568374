using System.Text.Json.Serialization;

namespace Slipway.ControlPlane.Spec;

/// <summary>The spec's <c>promote:</c>: how a release that succeeded in one environment moves to the next.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PromoteMode>))]
public enum PromoteMode
{
    /// <summary>Queued as a promotion as soon as the deployment succeeds.</summary>
    [JsonStringEnumMemberName("auto")]
    Auto,

    /// <summary>Waits for <c>slipway promote</c>.</summary>
    [JsonStringEnumMemberName("manual")]
    Manual,
}
