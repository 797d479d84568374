using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Slipway.FunctionalTests.ControlPlane;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Hardening;

/// <summary>
/// Seeded structural fuzzing of what the outside can send the control plane: app specs (YAML and JSON), signed
/// webhook payloads, and the admin API's JSON bodies. Whatever arrives, the answer is never a 5xx, every refusal
/// is a 4xx that says why, the process lives, and a refused input stores nothing.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class InputFuzzTests(SlipwayFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Seed = 14_2026;
    private const int CasesPerTarget = 1000;
    private const string HookSecret = "fuzz-webhook-secret-0123456789abcdef";

    // Bounded in time as well as in count: on a loaded machine fewer cases run, never a longer test.
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(75);

    [Fact]
    public async Task SpecsWebhooksAndJsonBodies_MutatedThousandsOfTimes_NeverA5xxAlwaysAReasonNothingStored()
    {
        var admin = fixture.Admin.Client;
        var hook = new TestAppSpec { App = "fuzzhook", Source = ("/nonexistent/acme/fuzzhook.git", "main") };
        await fixture.Admin.RegisterAsync(hook.App, hook.ToYaml());
        var set = await fixture.Slipway.CliWithInputAsync(HookSecret + "\n", "webhooks", "secret", hook.App);
        Assert.True(set.ExitCode == 0, set.Stderr);
        var appsBefore = (await fixture.Admin.AppsAsync()).Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var tokensBefore = await ActiveTokensAsync(admin);

        var mutator = new StructuralMutator(Seed);
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var spec = new TestAppSpec { App = "fuzzspec" }.ToYaml();
        var specJson = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["app"] = "fuzzspec", ["build"] = new[] { new { name = "check", run = "true" } }, ["run"] = new { command = "dotnet app.dll" },
            ["routes"] = new[] { new { host = "fuzzspec.test", path = "/" } }, ["probes"] = new { interval = "200ms", deadline = "10s" },
        });
        using var repository = await GitRepository.CreateAsync("fuzzhook");
        var push = ForgeDelivery.Payload("github", "push", repository, after: new string('a', 40));
        var lastBody = "";
        (string Path, string Body)[] bodies =
        [
            ("/api/v1/apps/fuzz-ghost/deploy", "{\"revision\":\"main\",\"from\":\"/tmp/none\"}"),
            ("/api/v1/apps/fuzz-ghost/rollback", "{\"to\":\"r-1\"}"),
            ("/api/v1/apps/fuzz-ghost/promote", "{\"to\":\"prod\",\"release\":\"r-1\"}"),
            ("/api/v1/apps/fuzz-ghost/webhook-secret", "{\"secret\":\"0123456789abcdef0123\"}"),
            ("/api/v1/apps/fuzz-ghost/secrets/API_KEY", "{\"value\":\"v\"}"),
            ("/api/v1/tokens", "{\"name\":\"fuzz\"}"),
        ];

        for (var i = 0; i < CasesPerTarget && clock.Elapsed < Budget; i++)
        {
            // An app spec, as YAML or JSON.
            var (text, type) = i % 2 == 0 ? (mutator.Mutate(spec), "application/yaml") : (mutator.Mutate(specJson), "application/json");
            await CheckAsync("spec", HttpMethod.Put, "/api/v1/apps/fuzzspec", text, type, async status =>
            {
                if (status < 300)
                {
                    using var removed = await admin.DeleteAsync("/api/v1/apps/fuzzspec");
                }
                else
                {
                    using var stored = await admin.GetAsync("/api/v1/apps/fuzzspec");
                    Expect(stored.StatusCode == HttpStatusCode.NotFound, $"a refused spec was stored ({(int)stored.StatusCode})", text);
                }
            });

            // A push payload, signed with the app's secret so it reaches the parser.
            var payload = mutator.Mutate(push);
            await CheckAsync("webhook", HttpMethod.Post, "/api/v1/webhooks/github/fuzzhook", payload, "application/json", status =>
            {
                Expect(status != 202, "a mutated push queued a deploy", payload);
                return Task.CompletedTask;
            });

            // A JSON body of another endpoint.
            var (path, body) = bodies[i % bodies.Length];
            var mutated = mutator.Mutate(body);
            await CheckAsync("json", path.EndsWith("API_KEY", StringComparison.Ordinal) || path.EndsWith("secret", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post,
                path, mutated, "application/json", async status =>
                {
                    if (path == "/api/v1/tokens" && status < 300)
                    {
                        // A body that happens to be valid creates a token: revoke it at once.
                        using var created = JsonDocument.Parse(lastBody);
                        using var revoked = await admin.DeleteAsync($"/api/v1/tokens/{created.RootElement.GetProperty("id").GetString()}");
                    }
                });
        }

        output.WriteLine($"seed {Seed}: {string.Join(", ", counts.Select(c => $"{c.Value} {c.Key}"))} cases in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.False(fixture.Slipway.HasExited, "the control plane died:\n" + fixture.Slipway.Output[^Math.Min(4000, fixture.Slipway.Output.Length)..]);
        Assert.True(failures.Count == 0, $"{failures.Count} failures (seed {Seed}):\n" + string.Join("\n", failures.Take(10)));
        Assert.True(counts.Values.Sum() >= 600, $"only {counts.Values.Sum()} cases ran within {Budget}");
        Assert.Empty(await fixture.Admin.DeploymentsAsync(hook.App));
        Assert.Equal(appsBefore, (await fixture.Admin.AppsAsync()).Select(a => a.Name).ToHashSet(StringComparer.Ordinal));
        Assert.Equal(tokensBefore, await ActiveTokensAsync(admin));

        async Task CheckAsync(string target, HttpMethod method, string path, string text, string contentType, Func<int, Task> after)
        {
            counts[target] = counts.GetValueOrDefault(target) + 1;
            var bytes = Encoding.UTF8.GetBytes(text);
            using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.ContentType = new(contentType);
            if (target == "webhook")
            {
                request.Headers.Add("X-GitHub-Event", "push");
                request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
                request.Headers.Add("X-Hub-Signature-256", "sha256=" + ForgeDelivery.Sign(HookSecret, bytes));
            }

            using var response = await admin.SendAsync(request);
            lastBody = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            Expect(status < 500, $"{target}: {status} {lastBody}", text);
            if (status >= 400)
            {
                Expect(HasReason(lastBody), $"{target}: {status} without a reason: {lastBody}", text);
            }

            await after(status);
        }

        void Expect(bool condition, string what, string input)
        {
            if (!condition)
            {
                failures.Add($"{what}\n  input: {Shorten(input)}");
            }
        }
    }

    private static bool HasReason(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return (root.TryGetProperty("error", out var error) && error.GetString() is { Length: > 0 })
                || (root.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 });
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task<int> ActiveTokensAsync(HttpClient admin)
    {
        using var document = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/tokens"));
        return document.RootElement.EnumerateArray().Count(t => !t.TryGetProperty("revokedAt", out var revoked) || revoked.ValueKind == JsonValueKind.Null);
    }

    private static string Shorten(string input) =>
        JsonSerializer.Serialize(input.Length > 300 ? input[..300] + $"… ({input.Length} chars)" : input);
}
