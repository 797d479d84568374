using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Slipway.ControlPlane.Api.Contracts;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.SelfDeploy;

/// <summary>
/// A real <c>slipway up</c> whose control plane deploys itself from a temporary clone of this repository with two
/// extra commits (A and B, which differ in one file). Both revisions are built once here (the builds dominate the
/// runtime) and reused by every test: a clean revision whose release is retained is not built again.
/// </summary>
public sealed class SelfDeployFixture : IAsyncLifetime
{
    public const string HandoffCeiling = "20s";

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private SlipwayProcess? _slipway;
    private HttpClient? _longAdmin;
    private string? _clone;

    internal SlipwayProcess Slipway => _slipway ?? throw new InvalidOperationException("Not started.");

    internal AppSources Sources { get; } = new();

    internal TestAppSpec App { get; } = new() { App = "selfload" };

    /// <summary>Why the tests cannot run here (no git, or the repository is not a git work tree); null when they can.</summary>
    public string? SkipReason { get; private set; }

    public string RevisionA { get; private set; } = "";

    public string RevisionB { get; private set; } = "";

    /// <summary>Durations measured while setting up (the two builds), for the test output and docs/self-deploy.md.</summary>
    public List<string> Timings { get; } = [];

    public async Task InitializeAsync()
    {
        if (!Directory.Exists(Path.Combine(RepoPaths.Root, ".git")) && !File.Exists(Path.Combine(RepoPaths.Root, ".git")))
        {
            SkipReason = $"{RepoPaths.Root} is not a git work tree; self-deploy builds the control plane from a clone of it";
            return;
        }

        _clone = Path.Combine(Directory.CreateTempSubdirectory("slipway-self-").FullName, "slipway");
        await GitAsync(Path.GetDirectoryName(_clone)!, "clone", "--quiet", "--no-hardlinks", RepoPaths.Root, _clone);
        await GitAsync(_clone, "checkout", "--quiet", "-B", "self-test");
        RevisionA = await CommitAsync("A");
        RevisionB = await CommitAsync("B");

        _slipway = await SlipwayProcess.StartAsync("up", workingDirectory: null, waitForReady: true,
            new Dictionary<string, string> { ["SLIPWAY_SELF_HANDOFF_CEILING"] = HandoffCeiling },
            // A range of its own (outside FreePort's shared one): control-plane generations and the test app take ports from it.
            appPorts: "35100-35199");
        _longAdmin = new HttpClient { BaseAddress = Slipway.AdminUrl, Timeout = TimeSpan.FromMinutes(10) };
        _longAdmin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(Slipway.Home, "admin.token"))).Trim());

        await Slipway.Admin.RegisterAsync(App.App, App.ToYaml());
        await Slipway.Admin.DeploySucceededAsync(App.App, Sources.Version(App, "self v1"));

        foreach (var (name, revision) in new[] { ("A", RevisionA), ("B", RevisionB) })
        {
            var started = _clock.Elapsed;
            var (status, outcome) = await SelfDeployAsync(new SelfDeployRequest { Source = _clone, Branch = "self-test", Revision = revision });
            if (status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"self-deploy of revision {name} answered {(int)status} {outcome.Status}: {outcome.ErrorSummary}\n{outcome.LogTail}");
            }

            Timings.Add($"self-deploy of revision {name} with its build: {(_clock.Elapsed - started).TotalSeconds:0.0} s (server: {outcome.DurationMs} ms)");
        }
    }

    internal async Task<(HttpStatusCode Status, DeployOutcome Outcome)> SelfDeployAsync(SelfDeployRequest request)
    {
        using var response = await _longAdmin!.PostAsJsonAsync("/api/v1/self/deploy", request, AdminHttp.Json);
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return (response.StatusCode, JsonSerializer.Deserialize<DeployOutcome>(text, AdminHttp.Json)!);
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"POST /api/v1/self/deploy answered {(int)response.StatusCode} without an outcome: {text}");
        }
    }

    /// <summary>The control plane's <c>/version</c> through the admin listener.</summary>
    internal async Task<(string Revision, string Digest)> VersionAsync()
    {
        var json = await Slipway.Admin.Client.GetStringAsync("/version");
        using var document = JsonDocument.Parse(json);
        return (document.RootElement.GetProperty("revision").GetString()!, document.RootElement.GetProperty("digest").GetString()!);
    }

    /// <summary>The store's lease row: who may write, and its fencing number.</summary>
    internal (string Holder, long Fencing) Lease()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(Slipway.Home, "slipway.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT holder, fencing FROM lease";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetString(0), reader.GetInt64(1));
    }

    public async Task DisposeAsync()
    {
        if (_slipway is not null)
        {
            // Release trees are read-only by design; make them deletable for the home's clean-up.
            await RunAsync("chmod", Path.GetTempPath(), "-R", "u+w", _slipway.Home);
            await _slipway.DisposeAsync();
        }

        _longAdmin?.Dispose();
        Sources.Dispose();
        if (_clone is not null)
        {
            Directory.Delete(Path.GetDirectoryName(_clone)!, recursive: true);
        }
    }

    private async Task<string> CommitAsync(string name)
    {
        await File.WriteAllTextAsync(Path.Combine(_clone!, "docs", "self-deploy-test-revision.txt"), $"revision {name}\n");
        await GitAsync(_clone!, "add", "docs/self-deploy-test-revision.txt");
        await GitAsync(_clone!, "-c", "user.name=Slipway tests", "-c", "user.email=tests@slipway.invalid", "commit", "--quiet", "-m", $"self-deploy test revision {name}");
        return (await GitAsync(_clone!, "rev-parse", "HEAD")).Trim();
    }

    private static Task<string> GitAsync(string directory, params string[] args) => RunAsync("git", directory, args);

    private static async Task<string> RunAsync(string program, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
    }
}
