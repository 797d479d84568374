using System.Text.Json;

namespace Slipway.ControlPlane.Webhooks;

/// <summary>
/// The parts of a push payload Slipway acts on. Forgejo, Gitea and GitHub share these field names:
/// <c>ref</c>, <c>after</c>, <c>repository.clone_url</c>, <c>html_url</c>, <c>ssh_url</c>, <c>full_name</c>.
/// </summary>
internal sealed record PushEvent(string Ref, string After, string? FullName, IReadOnlyList<string> RepositoryUrls)
{
    public const string BranchPrefix = "refs/heads/";
    public const string TagPrefix = "refs/tags/";

    /// <summary>The push event in <paramref name="body"/>, or null with the reason it is not one Slipway can read.</summary>
    public static PushEvent? Parse(ReadOnlyMemory<byte> body, out string? problem)
    {
        problem = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "the payload is not a JSON object";
                return null;
            }

            var reference = Text(root, "ref");
            var after = Text(root, "after");
            if (reference is null || after is null)
            {
                problem = "the push payload has no 'ref' or 'after'";
                return null;
            }

            string? fullName = null;
            var urls = new List<string>();
            if (root.TryGetProperty("repository", out var repository) && repository.ValueKind == JsonValueKind.Object)
            {
                fullName = Text(repository, "full_name");
                foreach (var key in new[] { "clone_url", "html_url", "ssh_url", "git_url", "url" })
                {
                    if (Text(repository, key) is { Length: > 0 } url)
                    {
                        urls.Add(url);
                    }
                }
            }

            return new PushEvent(reference, after, fullName, urls);
        }
        catch (JsonException)
        {
            problem = "the payload is not valid JSON (set the webhook's content type to application/json)";
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
