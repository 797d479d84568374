using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>
/// Sends webhook deliveries the way Forgejo, Gitea and GitHub do: the payload fixtures in Git/Payloads filled
/// in, the forge's event and delivery headers, and an HMAC-SHA256 signature over the exact bytes sent.
/// No bearer token: a webhook is authenticated by its signature alone.
/// </summary>
internal sealed class ForgeDelivery(Uri adminUrl) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = adminUrl, Timeout = TimeSpan.FromSeconds(60) };

    public static string Payload(string forge, string kind, GitRepository repository, string reference = "refs/heads/main", string? after = null, string? before = null)
    {
        var template = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Git", "Payloads", $"{forge}-{kind}.json"));
        return template
            .Replace("{{REF}}", reference, StringComparison.Ordinal)
            .Replace("{{BEFORE}}", before ?? new string('0', 40), StringComparison.Ordinal)
            .Replace("{{AFTER}}", after ?? new string('0', 40), StringComparison.Ordinal)
            .Replace("{{FULL_NAME}}", repository.FullName, StringComparison.Ordinal)
            .Replace("{{NAME}}", repository.Name, StringComparison.Ordinal);
    }

    public static string Sign(string secret, byte[] body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>
    /// Posts <paramref name="body"/> to <c>/api/v1/webhooks/{forge}</c>, signed with <paramref name="secret"/> unless it is
    /// null, under <paramref name="deliveryId"/> (a new one when null, no delivery header at all when empty).
    /// </summary>
    public async Task<(HttpStatusCode Status, JsonElement Answer, bool Replayed)> SendAsync(
        string forge, string eventName, string body, string? secret, string? deliveryId = null, string? signatureOverride = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/webhooks/{forge}") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        var delivery = deliveryId ?? Guid.NewGuid().ToString();
        var signature = signatureOverride ?? (secret is null ? null : Sign(secret, bytes));
        switch (forge)
        {
            case "forgejo":
                // Forgejo sends its own headers and, for compatibility, Gitea's and GitHub's event headers.
                request.Headers.Add("X-Forgejo-Event", eventName);
                request.Headers.Add("X-Forgejo-Delivery", delivery);
                request.Headers.Add("X-Gitea-Event", eventName);
                request.Headers.Add("X-Gitea-Delivery", delivery);
                request.Headers.Add("X-GitHub-Event", eventName);
                request.Headers.Add("X-GitHub-Delivery", delivery);
                if (signature is not null)
                {
                    request.Headers.Add("X-Forgejo-Signature", signature);
                    request.Headers.Add("X-Gitea-Signature", signature);
                }

                break;
            case "gitea":
                request.Headers.Add("X-Gitea-Event", eventName);
                request.Headers.Add("X-Gitea-Delivery", delivery);
                request.Headers.Add("X-GitHub-Event", eventName);
                request.Headers.Add("X-GitHub-Delivery", delivery);
                if (signature is not null)
                {
                    request.Headers.Add("X-Gitea-Signature", signature);
                }

                break;
            default:
                request.Headers.Add("X-GitHub-Event", eventName);
                request.Headers.Add("X-GitHub-Delivery", delivery);
                request.Headers.Add("User-Agent", "GitHub-Hookshot/test");
                if (signature is not null)
                {
                    request.Headers.Add("X-Hub-Signature-256", signatureOverride ?? "sha256=" + signature);
                }

                break;
        }

        if (deliveryId == "")
        {
            // A delivery without any id header, as a replayer stripping it would send.
            foreach (var header in new[] { "X-Forgejo-Delivery", "X-Gitea-Delivery", "X-GitHub-Delivery" })
            {
                request.Headers.Remove(header);
            }
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var answer = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, answer, response.Headers.Contains("X-Slipway-Replayed"));
    }

    public async Task<HttpStatusCode> SendRawAsync(string forge, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        using var response = await _http.PostAsync($"/api/v1/webhooks/{forge}", content);
        return response.StatusCode;
    }

    public void Dispose() => _http.Dispose();
}
