using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Slipway.Edge.Control;

/// <summary>
/// The name a state enum has on the wire (its <see cref="JsonStringEnumMemberNameAttribute"/>), for the places that
/// write it as text outside JSON: messages, the journal, SQLite columns. <c>ToString()</c> would give the C# name.
/// </summary>
public static class WireName
{
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => Names<TEnum>.ByValue[value];

    /// <returns>The value named <paramref name="text"/> on the wire, or null when there is none.</returns>
    public static TEnum? Parse<TEnum>(string? text)
        where TEnum : struct, Enum =>
        text is not null && Names<TEnum>.ByName.TryGetValue(text, out var value) ? value : null;

    private static class Names<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly FrozenDictionary<TEnum, string> ByValue = Enum.GetValues<TEnum>().ToFrozenDictionary(
            v => v,
            v => typeof(TEnum).GetField(v.ToString())!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? v.ToString());

        public static readonly FrozenDictionary<string, TEnum> ByName =
            ByValue.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }
}
