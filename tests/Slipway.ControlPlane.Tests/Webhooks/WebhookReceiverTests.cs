using System.Text;
using Slipway.ControlPlane.Spec;
using Slipway.ControlPlane.Webhooks;

namespace Slipway.ControlPlane.Tests.Webhooks;

public sealed class WebhookReceiverTests
{
    private const string Sha = "bffeb74224043ba2feb48d137756c8a9331c449a";
    private static readonly SourceSpec Main = new() { Git = "https://forge.example/acme/hello.git", Branch = "main" };

    [Fact]
    public void Skip_PushToTheAppsBranch_Deploys() =>
        Assert.Null(WebhookReceiver.Skip(Push("refs/heads/main", Sha), Main));

    [Theory]
    [InlineData("refs/heads/feature", Sha, "push to branch 'feature'; the app deploys branch 'main'")]
    [InlineData("refs/heads/main", "0000000000000000000000000000000000000000", "was deleted")]
    [InlineData("refs/tags/v1", Sha, "does not deploy tags")]
    [InlineData("refs/notes/x", Sha, "neither a branch nor a tag")]
    [InlineData("refs/heads/main", "HEAD~1", "not a commit sha")]
    public void Skip_EverythingElse_SaysWhy(string reference, string after, string reason) =>
        Assert.Contains(reason, WebhookReceiver.Skip(Push(reference, after), Main));

    [Fact]
    public void Skip_TagWhenTheAppDeploysTags_Deploys() =>
        Assert.Null(WebhookReceiver.Skip(Push("refs/tags/v1", Sha), Main with { DeployTags = true }));

    [Theory]
    [InlineData("https://forge.example/acme/hello.git")]
    [InlineData("http://FORGE.example/acme/hello")]
    [InlineData("git@forge.example:acme/hello.git")]
    [InlineData("https://user:token@forge.example/acme/hello.git/")]
    [InlineData("/srv/git/acme/hello.git")]
    public void Matches_SameRepositoryByUrlOrFullName_IsTrue(string source) =>
        Assert.True(WebhookReceiver.Matches(source, Push("refs/heads/main", Sha)));

    [Theory]
    [InlineData("https://forge.example/acme/hello-world.git")]
    [InlineData("https://forge.example/other/hello.git")]
    [InlineData("/srv/git/hello.git")]
    public void Matches_OtherRepository_IsFalse(string source) =>
        Assert.False(WebhookReceiver.Matches(source, Push("refs/heads/main", Sha)));

    [Fact]
    public void Parse_DocumentedGiteaPayload_ReadsRefAfterAndRepository()
    {
        var body = Encoding.UTF8.GetBytes($$"""
            {"ref":"refs/heads/develop","before":"28e1879d029cb852e4844d9c718537df08844e03","after":"{{Sha}}",
             "commits":[],"repository":{"id":140,"name":"webhooks","full_name":"gitea/webhooks",
             "html_url":"http://localhost:3000/gitea/webhooks","ssh_url":"ssh://gitea@localhost:2222/gitea/webhooks.git",
             "clone_url":"http://localhost:3000/gitea/webhooks.git"} }
            """);

        var push = PushEvent.Parse(body, out var problem);

        Assert.Null(problem);
        Assert.Equal("refs/heads/develop", push!.Ref);
        Assert.Equal(Sha, push.After);
        Assert.Equal("gitea/webhooks", push.FullName);
        Assert.Contains("http://localhost:3000/gitea/webhooks.git", push.RepositoryUrls);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1]", "not a JSON object")]
    [InlineData("{\"zen\":\"hi\"}", "no 'ref' or 'after'")]
    public void Parse_NotAPush_SaysWhy(string body, string problem)
    {
        Assert.Null(PushEvent.Parse(Encoding.UTF8.GetBytes(body), out var reason));
        Assert.Contains(problem, reason);
    }

    private static PushEvent Push(string reference, string after) =>
        new(reference, after, "acme/hello", ["https://forge.example/acme/hello.git", "https://forge.example/acme/hello"]);
}
