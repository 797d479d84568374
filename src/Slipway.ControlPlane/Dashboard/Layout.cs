namespace Slipway.ControlPlane.Dashboard;

/// <summary>The frame of every page: header and navigation, the page, and the footer with the server's version and the CLI equivalent.</summary>
internal static class Layout
{
    public static string Page(string title, string body, SignedIn? session, ServerVersion version, string? cli, string current = "")
    {
        var page = new Html()
            .Raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Raw("<meta name=\"color-scheme\" content=\"light dark\">")
            .Raw("<title>").Text(title).Raw(" · Slipway</title>")
            .Raw($"<link rel=\"icon\" href=\"{DashboardAssets.Path("icon.svg")}\" type=\"image/svg+xml\">")
            .Raw($"<link rel=\"stylesheet\" href=\"{DashboardAssets.Path("dashboard.css")}\">")
            .Raw($"<script src=\"{DashboardAssets.Path("dashboard.js")}\" defer></script>")
            .Raw("</head><body>")
            .Raw("<a class=\"skip\" href=\"#main\">Skip to content</a>")
            .Raw("<header class=\"top\"><a class=\"brand\" href=\"/\">")
            .Raw($"<img src=\"{DashboardAssets.Path("icon.svg")}\" alt=\"\" width=\"20\" height=\"20\"> Slipway</a>");
        if (session is not null)
        {
            page.Raw("<nav aria-label=\"Main\"><ul>")
                .Raw(NavItem("/", "Apps", current == "apps"))
                .Raw(NavItem("/edge", "Edge", current == "edge"))
                .Raw("</ul></nav>")
                .Raw("<div class=\"who\"><span class=\"role\">").Text($"{session.Token.Name} · {Store.SlipwayStore.ToText(session.Token.Role)}").Raw("</span>")
                .Raw("<form method=\"post\" action=\"/sign-out\">").Raw(CsrfInput(session))
                .Raw("<button type=\"submit\" class=\"link\">Sign out</button></form></div>");
        }

        page.Raw("</header><main id=\"main\" tabindex=\"-1\">").Raw(body).Raw("</main>")
            .Raw("<footer><dl class=\"version\" aria-label=\"Control plane version\">")
            .Raw("<dt>release</dt><dd>").Text(version.Release).Raw("</dd>")
            .Raw("<dt>revision</dt><dd>").Text(Html.ShortSha(version.Revision)).Raw("</dd>")
            .Raw("<dt>digest</dt><dd title=\"").Text(version.Digest).Raw("\">").Text(ShortDigest(version.Digest)).Raw("</dd>")
            .Raw("<dt>built</dt><dd>").Text(version.BuiltAt).Raw("</dd></dl>");
        if (cli is not null)
        {
            page.Raw("<p class=\"cli\">Same from the CLI: <code>").Text(cli).Raw("</code></p>");
        }

        return page.Raw("</footer></body></html>").ToString();
    }

    public static string CsrfInput(SignedIn session) =>
        $"<input type=\"hidden\" name=\"{DashboardSessions.CsrfField}\" value=\"{Html.Encode(session.Csrf)}\">";

    public static string ShortDigest(string? digest) =>
        digest is null ? "" : digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length > 19 ? digest[..19] : digest;

    private static string NavItem(string href, string text, bool current) =>
        $"<li><a href=\"{href}\"{(current ? " aria-current=\"page\"" : "")}>{text}</a></li>";
}
