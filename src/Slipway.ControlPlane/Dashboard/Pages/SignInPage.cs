namespace Slipway.ControlPlane.Dashboard.Pages;

/// <summary>Sign-in: paste a token once; it is exchanged for a session cookie and never shown, stored in the browser or put in a URL.</summary>
internal static class SignInPage
{
    public static string Render(ServerVersion version, string? next, string? error)
    {
        var body = new Html().Raw("<div class=\"signin\"><h1>Sign in to Slipway</h1>");
        if (error is not null)
        {
            body.Raw("<div class=\"error\" role=\"alert\" id=\"signin-error\"><p>").Text(error).Raw("</p></div>");
        }

        body.Raw("<form method=\"post\" action=\"/sign-in\">")
            .Raw("<label for=\"token\">API token</label>")
            .Raw("<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\" spellcheck=\"false\" required autofocus aria-describedby=\"token-help\">")
            .Raw("<p id=\"token-help\" class=\"help\">On the server: <code>cat $SLIPWAY_HOME/admin.token</code>, or make one with <code>slipway tokens create NAME</code> (add <code>--role viewer</code> for read-only access).</p>")
            .Raw("<input type=\"hidden\" name=\"next\" ").Raw(Html.Attr("value", next ?? "/")).Raw(">")
            .Raw("<button type=\"submit\" class=\"primary\">Sign in</button></form></div>");
        return Layout.Page("Sign in", body.ToString(), null, version, "slipway status");
    }
}
