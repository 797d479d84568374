using System.Globalization;

namespace Slipway.ControlPlane.Store;

/// <summary>Timestamps are stored as fixed-width UTC ISO-8601 text, so they sort and compare as strings.</summary>
internal static class StoreTime
{
    private const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ParseNullable(string? text) => text is null ? null : Parse(text);
}
