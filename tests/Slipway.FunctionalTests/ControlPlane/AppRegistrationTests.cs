using System.Net;
using System.Text.Json;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.ControlPlane;

/// <summary>
/// A bad <c>slipway.yml</c> is refused before anything is written, with the file, line and key of each problem,
/// whether it comes through the API (400) or the CLI (exit code 2).
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class AppRegistrationTests(SlipwayFixture fixture)
{
    private const string Run = "run: { command: dotnet app.dll }\n";

    public static TheoryData<string, string, string, string, int> BadSpecs => new()
    {
        // name, app name in the URL, spec text, expected key ("" for a YAML syntax error), expected line (0: none, the key is missing)
        { "invalid YAML", "broken", "app: broken\n" + Run + "env:\n  A: one\n B: two\n", "", 5 },
        { "unknown key", "typo", "app: typo\n" + Run + "stopgrace: 5s\n", "stopgrace", 3 },
        { "path in name", "..%2Fetc", "app: ../etc\n" + Run, "app", 1 },
        { "uppercase name", "MyApp", "app: MyApp\n" + Run, "app", 1 },
        { "long name", new string('a', 200), $"app: {new string('a', 200)}\n" + Run, "app", 1 },
        { "duration without unit", "nounit", "app: nounit\n" + Run + "probes: { interval: 1s, deadline: 60 }\n", "probes.deadline", 3 },
        { "no run command", "norun", "app: norun\nroutes: [ { host: norun.test } ]\n", "run", 0 },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task PutApp_BadSpec_400WithFileLineKeyAndNothingStored(string name, string urlApp, string yaml, string key, int line)
    {
        var before = await AppsJsonAsync();

        using var response = await fixture.Admin.Client.PutAsync($"/api/v1/apps/{urlApp}", new StringContent(yaml, System.Text.Encoding.UTF8, "application/yaml"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {body}");
        var error = JsonSerializer.Deserialize<ApiError>(body, AdminHttp.Json)!;
        Assert.NotNull(error.Details);
        var detail = Assert.Single(error.Details, d => d.Key == (key.Length > 0 ? key : null));
        Assert.EndsWith("slipway.yml", detail.File);
        Assert.Equal(line > 0 ? line : null, detail.Line);

        Assert.False(string.IsNullOrWhiteSpace(detail.Message));
        Assert.Equal(before, await AppsJsonAsync());
    }

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task AppsAdd_BadSpec_ExitsTwoNamingFileAndKey(string name, string urlApp, string yaml, string key, int line)
    {
        _ = urlApp;
        var before = await AppsJsonAsync();
        var file = fixture.Sources.WriteFile("slipway.yml", yaml);

        var run = await fixture.Slipway.CliAsync("apps", "add", file);

        Assert.True(run.ExitCode == 2, $"{name}: exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains("slipway.yml", run.Stderr);
        Assert.Contains(line > 0 ? $"slipway.yml:{line} " : "slipway.yml ", run.Stderr);

        if (key.Length > 0)
        {
            Assert.Contains($" {key}: ", run.Stderr);
        }

        Assert.Equal(before, await AppsJsonAsync());
    }

    [Fact]
    public async Task PutApp_UnknownKey_SuggestsTheClosestKey()
    {
        using var response = await fixture.Admin.PutAppAsync("typo", "app: typo\n" + Run + "stopgrace: 5s\nrollback-window: 1m\n");

        var error = JsonSerializer.Deserialize<ApiError>(await response.Content.ReadAsStringAsync(), AdminHttp.Json)!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(error.Details!, d => d.Key == "stopgrace" && d.Message.Contains("did you mean `stop_grace`?", StringComparison.Ordinal));
        Assert.Contains(error.Details!, d => d.Key == "rollback-window" && d.Line == 4 && d.Message.Contains("did you mean `rollback_window`?", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AppsAdd_GoodSpec_RegistersApp()
    {
        var spec = new TestAppSpec { App = "added" };
        var file = fixture.Sources.WriteFile("slipway.yml", spec.ToYaml());

        var run = await fixture.Slipway.CliAsync("apps", "add", file);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        var app = Assert.Single(await fixture.Admin.AppsAsync(), a => a.Name == "added");
        Assert.Equal(["added.test/"], app.Routes);
    }

    private async Task<string> AppsJsonAsync()
    {
        using var response = await fixture.Admin.Client.GetAsync("/api/v1/apps");
        return await response.Content.ReadAsStringAsync();
    }
}
