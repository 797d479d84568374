namespace Slipway.ControlPlane.Dashboard.Pages;

/// <summary>
/// The confirmation every action goes through: it says what will happen, and only its form (POST, with the
/// anti-forgery token) does it. An error from the operation is shown here in the API's own words.
/// </summary>
internal static class ConfirmPage
{
    public static string Render(DashboardServices s, SignedIn session, ConfirmAction action, string? error = null)
    {
        var body = new Html().Raw("<div class=\"confirm\"><h1>").Text(action.Title).Raw("</h1>");
        if (error is not null)
        {
            body.Raw("<div class=\"error\" role=\"alert\" id=\"action-error\"><h2>Refused</h2><p>").Text(error).Raw("</p></div>");
        }

        body.Raw("<p class=\"what\">").Raw(action.Explanation).Raw("</p>");
        if (action.Blocked is not null)
        {
            body.Raw("<p class=\"error\" role=\"alert\">").Text(action.Blocked).Raw("</p><p>").Raw(Html.Link(action.CancelHref, "Back", "class=\"button\"")).Raw("</p></div>");
            return Layout.Page(action.Title, body.ToString(), session, s.Version, action.Cli);
        }

        body.Raw("<form method=\"post\" ").Raw(Html.Attr("action", action.PostPath)).Raw(">").Raw(Layout.CsrfInput(session)).Raw(action.Fields)
            .Raw("<div class=\"actions\"><button type=\"submit\" class=\"").Raw(action.Danger ? "danger" : "primary").Raw("\">").Text(action.ConfirmLabel).Raw("</button>")
            .Raw(Html.Link(action.CancelHref, "Cancel", "class=\"button\"")).Raw("</div></form></div>");
        return Layout.Page(action.Title, body.ToString(), session, s.Version, action.Cli);
    }
}
