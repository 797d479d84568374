using System.Text.Json;
using System.Text.Json.Serialization;

namespace Slipway.Edge.Acme;

internal static class AcmeJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
