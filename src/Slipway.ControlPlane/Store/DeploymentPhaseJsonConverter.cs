using System.Text.Json;
using System.Text.Json.Serialization;

namespace Slipway.ControlPlane.Store;

/// <summary>A <see cref="DeploymentPhase"/> in JSON is its name, as a value and as a dictionary key.</summary>
internal sealed class DeploymentPhaseJsonConverter : JsonConverter<DeploymentPhase>
{
    public override DeploymentPhase Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DeploymentPhase.Parse(reader.GetString() ?? throw new JsonException("A deployment phase must be a string."));

    public override void Write(Utf8JsonWriter writer, DeploymentPhase value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Name);

    public override DeploymentPhase ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DeploymentPhase.Parse(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, DeploymentPhase value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.Name);
}
