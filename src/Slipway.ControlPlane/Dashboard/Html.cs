using System.Globalization;
using System.Net;
using System.Text;

namespace Slipway.ControlPlane.Dashboard;

/// <summary>
/// Builds an HTML page. <see cref="Text"/> encodes, <see cref="Raw"/> does not and only ever receives markup
/// written in this folder, so a value from the store (an app name, a log line) cannot become markup.
/// </summary>
internal sealed class Html
{
    private readonly StringBuilder _out = new(4096);

    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A URL path segment, escaped (app names and ids are restricted, but never trusted).</summary>
    public static string Segment(string text) => Uri.EscapeDataString(text);

    public Html Raw(string markup)
    {
        _out.Append(markup);
        return this;
    }

    public Html Text(string? text)
    {
        _out.Append(Encode(text));
        return this;
    }

    /// <summary>An element with encoded text content and optional (already safe) attributes.</summary>
    public Html Element(string tag, string? text, string attributes = "")
    {
        _out.Append('<').Append(tag);
        if (attributes.Length > 0)
        {
            _out.Append(' ').Append(attributes);
        }

        _out.Append('>').Append(Encode(text)).Append("</").Append(tag).Append('>');
        return this;
    }

    /// <summary>An attribute with an encoded value: <c>name="value"</c>.</summary>
    public static string Attr(string name, string? value) => $"{name}=\"{Encode(value)}\"";

    public static string Link(string href, string? text, string attributes = "") =>
        $"<a href=\"{Encode(href)}\"{(attributes.Length > 0 ? " " + attributes : "")}>{Encode(text)}</a>";

    public static string Time(DateTimeOffset at, TimeProvider time)
    {
        var iso = at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return $"<time datetime=\"{iso}\" title=\"{iso}\">{Encode(Age(time.GetUtcNow() - at))}</time>";
    }

    public static string Age(TimeSpan ago) => ago.TotalSeconds switch
    {
        < 0 => "just now",
        < 60 => $"{(int)ago.TotalSeconds}s ago",
        < 3600 => $"{(int)ago.TotalMinutes}m ago",
        < 86400 => $"{(int)ago.TotalHours}h ago",
        _ => $"{(int)ago.TotalDays}d ago",
    };

    public static string Duration(long? ms) => ms switch
    {
        null => "",
        < 1000 => $"{ms} ms",
        < 60_000 => (ms.Value / 1000.0).ToString("0.0", CultureInfo.InvariantCulture) + " s",
        _ => $"{ms.Value / 60_000}m {ms.Value / 1000 % 60}s",
    };

    /// <summary>A commit sha cut to 12 characters; any other revision (<c>local-…</c>, a tag) as it is.</summary>
    public static string ShortSha(string? revision) => revision is { Length: > 12 } r && r.All(Uri.IsHexDigit) ? r[..12] : revision ?? "";

    public override string ToString() => _out.ToString();
}
