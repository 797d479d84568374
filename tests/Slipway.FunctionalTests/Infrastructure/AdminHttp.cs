using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>The admin API over plain HTTP, the way any API caller would use it (docs/admin-api.md).</summary>
internal sealed class AdminHttp : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public AdminHttp(Uri adminUrl, string token)
    {
        Client = new HttpClient { BaseAddress = adminUrl, Timeout = TimeSpan.FromMinutes(3) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public HttpClient Client { get; }

    public Task<HttpResponseMessage> PutAppAsync(string app, string yaml) =>
        Client.PutAsync($"/api/v1/apps/{Uri.EscapeDataString(app)}", new StringContent(yaml, Encoding.UTF8, "application/yaml"));

    /// <summary>Registers an app, failing the test with the server's explanation when the spec is refused.</summary>
    public async Task RegisterAsync(string app, string yaml)
    {
        using var response = await PutAppAsync(app, yaml);
        Assert.True(response.IsSuccessStatusCode, $"PUT /api/v1/apps/{app}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Requests a deployment and answers at once (202, or 200 when coalesced).</summary>
    public async Task<DeploymentView> DeployAsync(string app, string from)
    {
        using var response = await Client.PostAsJsonAsync($"/api/v1/apps/{app}/deploy", new DeployRequest { From = from }, Json);
        return await ReadAsync<DeploymentView>(response, HttpStatusCode.Accepted, HttpStatusCode.OK);
    }

    /// <summary>Deploys with <c>?wait=true</c>: the HTTP status and the outcome.</summary>
    public async Task<(HttpStatusCode Status, DeployOutcome Outcome)> DeployAndWaitAsync(string app, string from)
    {
        using var response = await Client.PostAsJsonAsync($"/api/v1/apps/{app}/deploy?wait=true", new DeployRequest { From = from }, Json);
        return (response.StatusCode, await ReadAsync<DeployOutcome>(response, response.StatusCode));
    }

    /// <summary>Deploys with <c>?wait=true</c> and fails the test unless it succeeded.</summary>
    public async Task<DeploymentView> DeploySucceededAsync(string app, string from)
    {
        var (status, outcome) = await DeployAndWaitAsync(app, from);
        Assert.True(status == HttpStatusCode.OK, $"deploy of {app} from {from}: {(int)status} {outcome.Status}: {outcome.ErrorSummary}\n{outcome.LogTail}");
        return await GetDeploymentAsync(outcome.Id);
    }

    public async Task<(HttpStatusCode Status, DeployOutcome Outcome)> RollbackAndWaitAsync(string app, string? to = null)
    {
        using var response = await Client.PostAsJsonAsync($"/api/v1/apps/{app}/rollback?wait=true", new RollbackRequest { To = to }, Json);
        return (response.StatusCode, await ReadAsync<DeployOutcome>(response, response.StatusCode));
    }

    public async Task<DeploymentView> GetDeploymentAsync(string id)
    {
        using var response = await Client.GetAsync($"/api/v1/deployments/{id}");
        return await ReadAsync<DeploymentView>(response, HttpStatusCode.OK);
    }

    public async Task<DeploymentView> CancelAsync(string id)
    {
        using var response = await Client.PostAsync($"/api/v1/deployments/{id}/cancel", content: null);
        return await ReadAsync<DeploymentView>(response, HttpStatusCode.OK);
    }

    /// <summary>Polls a deployment until <paramref name="done"/> holds.</summary>
    public Task<DeploymentView> WaitForAsync(string id, Func<DeploymentView, bool> done, TimeSpan deadline, string what) =>
        Poll.ForAsync(() => GetDeploymentAsync(id), done, deadline, $"deployment {id}: {what}");

    public Task<DeploymentView> WaitUntilTerminalAsync(string id, TimeSpan deadline) =>
        WaitForAsync(id, d => d.Status is not ("queued" or "running"), deadline, "a terminal status");

    public async Task<IReadOnlyList<ReleaseView>> ReleasesAsync(string app)
    {
        using var response = await Client.GetAsync($"/api/v1/apps/{app}/releases");
        return await ReadAsync<List<ReleaseView>>(response, HttpStatusCode.OK);
    }

    public async Task<IReadOnlyList<DeploymentView>> DeploymentsAsync(string app)
    {
        using var response = await Client.GetAsync($"/api/v1/apps/{app}/deployments");
        return await ReadAsync<List<DeploymentView>>(response, HttpStatusCode.OK);
    }

    public async Task<IReadOnlyList<AppView>> AppsAsync()
    {
        using var response = await Client.GetAsync("/api/v1/apps");
        return await ReadAsync<List<AppView>>(response, HttpStatusCode.OK);
    }

    public void Dispose() => Client.Dispose();

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, params HttpStatusCode[] expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected.Contains(response.StatusCode), $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<T>(body, Json) ?? throw new InvalidOperationException($"Empty answer: {body}");
    }
}
