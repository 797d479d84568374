using Microsoft.AspNetCore.Http;

namespace Slipway.ControlPlane.Webhooks;

/// <summary>
/// How one forge signs and labels its webhook deliveries. Forgejo also sends Gitea's headers (it is a fork), so
/// its own header is read first and Gitea's is the fallback; a bad first header is never rescued by the second.
/// </summary>
internal sealed record ForgeKind(string Name, string[] EventHeaders, string[] DeliveryHeaders, string[] SignatureHeaders, string SignaturePrefix)
{
    public static readonly ForgeKind Forgejo = new(
        "forgejo", ["X-Forgejo-Event", "X-Gitea-Event"], ["X-Forgejo-Delivery", "X-Gitea-Delivery"], ["X-Forgejo-Signature", "X-Gitea-Signature"], "");

    public static readonly ForgeKind Gitea = new("gitea", ["X-Gitea-Event"], ["X-Gitea-Delivery"], ["X-Gitea-Signature"], "");

    public static readonly ForgeKind GitHub = new("github", ["X-GitHub-Event"], ["X-GitHub-Delivery"], ["X-Hub-Signature-256"], "sha256=");

    public static ForgeKind? Named(string name) => name.ToLowerInvariant() switch
    {
        "forgejo" => Forgejo,
        "gitea" => Gitea,
        "github" => GitHub,
        _ => null,
    };

    public string? Event(IHeaderDictionary headers) => First(headers, EventHeaders);

    public string? Delivery(IHeaderDictionary headers) => First(headers, DeliveryHeaders);

    public string? Signature(IHeaderDictionary headers) => First(headers, SignatureHeaders);

    private static string? First(IHeaderDictionary headers, string[] names) =>
        names.Select(n => headers[n].ToString()).FirstOrDefault(v => v.Length > 0);
}
