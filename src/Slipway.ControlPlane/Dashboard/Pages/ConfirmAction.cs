namespace Slipway.ControlPlane.Dashboard.Pages;

/// <summary>What a confirmation page shows: the action, what it will do (safe markup), its form fields and the CLI command that does the same.</summary>
internal sealed record ConfirmAction(string Title, string Explanation, string PostPath, string ConfirmLabel, string CancelHref, string Cli)
{
    /// <summary>Extra form inputs (safe markup), e.g. the revision to deploy.</summary>
    public string Fields { get; init; } = "";

    public bool Danger { get; init; }

    /// <summary>Why the action cannot be taken now; the page then offers no button.</summary>
    public string? Blocked { get; init; }
}
