using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Slipway.ControlPlane.Api.Contracts;

namespace Slipway.Client;

/// <summary>
/// Typed calls to the admin API (docs/admin-api.md). Transport failures become <see cref="ServerUnreachableException"/>,
/// error statuses become <see cref="AdminApiException"/>; callers decide what to print.
/// </summary>
internal sealed class AdminClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly HashSet<string> TerminalEventTypes =
        new(StringComparer.Ordinal) { "deploy.done", "deploy.cancelled", "deploy.failed", "deploy.superseded" };

    private static readonly HashSet<string> TerminalStatuses =
        new(StringComparer.Ordinal) { "succeeded", "failed", "cancelled", "superseded", "rolled_back" };

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _time;

    public AdminClient(AdminEndpoint endpoint, HttpClient? http = null, TimeProvider? time = null)
    {
        Endpoint = endpoint;
        _ownsHttp = http is null;
        // Event streams stay open for a whole deploy; unary calls get their own deadline instead.
        _http = http ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _time = time ?? TimeProvider.System;
    }

    public AdminEndpoint Endpoint { get; }

    /// <summary>Deadline of each non-streaming call.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Pause before re-opening an event stream that dropped; doubles up to 5 s.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How many reconnects in a row may fail before following gives up.</summary>
    public int MaxReconnectAttempts { get; init; } = 20;

    public Task<IReadOnlyList<AppView>> ListAppsAsync(CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<AppView>>(HttpMethod.Get, "api/v1/apps", null, cancellationToken);

    public Task<AppView> GetAppAsync(string app, CancellationToken cancellationToken) =>
        SendAsync<AppView>(HttpMethod.Get, $"api/v1/apps/{Esc(app)}", null, cancellationToken);

    /// <summary>Registers or replaces an app from its spec text; YAML unless <paramref name="isJson"/>.</summary>
    public Task<AppView> PutAppAsync(string app, string spec, bool isJson, CancellationToken cancellationToken)
    {
        var content = new StringContent(spec, Encoding.UTF8, isJson ? "application/json" : "application/yaml");
        return SendAsync<AppView>(HttpMethod.Put, $"api/v1/apps/{Esc(app)}", content, cancellationToken);
    }

    public Task RemoveAppAsync(string app, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"api/v1/apps/{Esc(app)}", null, cancellationToken);

    public Task<DeploymentView> DeployAsync(string app, DeployRequest request, CancellationToken cancellationToken) =>
        SendAsync<DeploymentView>(HttpMethod.Post, $"api/v1/apps/{Esc(app)}/deploy", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary><c>?wait=true</c>: blocks until the deployment ends; 500/409 still carry the outcome.</summary>
    public Task<DeployOutcome> DeployAndWaitAsync(string app, DeployRequest request, CancellationToken cancellationToken) =>
        SendOutcomeAsync($"api/v1/apps/{Esc(app)}/deploy?wait=true", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary><c>POST /api/v1/self/deploy</c>: synchronous; 500/409 still carry the outcome.</summary>
    public Task<DeployOutcome> SelfDeployAsync(SelfDeployRequest request, CancellationToken cancellationToken) =>
        SendOutcomeAsync("api/v1/self/deploy", JsonContent.Create(request, options: Json), cancellationToken);

    public Task<DeploymentView> RollbackAsync(string app, RollbackRequest request, CancellationToken cancellationToken) =>
        SendAsync<DeploymentView>(HttpMethod.Post, $"api/v1/apps/{Esc(app)}/rollback", JsonContent.Create(request, options: Json), cancellationToken);

    public Task<DeployOutcome> RollbackAndWaitAsync(string app, RollbackRequest request, CancellationToken cancellationToken) =>
        SendOutcomeAsync($"api/v1/apps/{Esc(app)}/rollback?wait=true", JsonContent.Create(request, options: Json), cancellationToken);

    public Task<DeploymentView> PromoteAsync(string app, PromoteRequest request, CancellationToken cancellationToken) =>
        SendAsync<DeploymentView>(HttpMethod.Post, $"api/v1/apps/{Esc(app)}/promote", JsonContent.Create(request, options: Json), cancellationToken);

    /// <summary><c>POST /api/v1/apps/{app}/rollout/{command}</c>: promote, abort, pause or resume the running rollout.</summary>
    public Task<RolloutView> CommandRolloutAsync(string app, string command, string? env, CancellationToken cancellationToken) =>
        SendAsync<RolloutView>(HttpMethod.Post, $"api/v1/apps/{Esc(app)}/rollout/{Esc(command)}", JsonContent.Create(new RolloutCommandRequest { Env = env }, options: Json), cancellationToken);

    /// <summary><c>GET /api/v1/apps/{app}/rollout</c>: the running rollout with the edge's live figures.</summary>
    public Task<RolloutView> GetRolloutAsync(string app, string? env, CancellationToken cancellationToken) =>
        SendAsync<RolloutView>(HttpMethod.Get, $"api/v1/apps/{Esc(app)}/rollout{(env is null ? "" : "?env=" + Esc(env))}", null, cancellationToken);

    public Task<DeploymentView> GetDeploymentAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<DeploymentView>(HttpMethod.Get, $"api/v1/deployments/{Esc(id)}", null, cancellationToken);

    public Task<IReadOnlyList<DeploymentView>> ListDeploymentsAsync(string app, CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<DeploymentView>>(HttpMethod.Get, $"api/v1/apps/{Esc(app)}/deployments", null, cancellationToken);

    public Task<DeploymentView> CancelAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<DeploymentView>(HttpMethod.Post, $"api/v1/deployments/{Esc(id)}/cancel", null, cancellationToken);

    public Task<IReadOnlyList<ReleaseView>> ListReleasesAsync(string app, CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<ReleaseView>>(HttpMethod.Get, $"api/v1/apps/{Esc(app)}/releases", null, cancellationToken);

    public Task<string> GetLogsAsync(string app, int lines, CancellationToken cancellationToken) =>
        GetTextAsync($"api/v1/apps/{Esc(app)}/logs?lines={lines}", authenticated: true, cancellationToken);

    public Task<IReadOnlyList<TokenView>> ListTokensAsync(CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<TokenView>>(HttpMethod.Get, "api/v1/tokens", null, cancellationToken);

    public Task<TokenView> CreateTokenAsync(string name, string role, CancellationToken cancellationToken) =>
        SendAsync<TokenView>(HttpMethod.Post, "api/v1/tokens", JsonContent.Create(new { name, role }, options: Json), cancellationToken);

    public Task RevokeTokenAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"api/v1/tokens/{Esc(id)}", null, cancellationToken);

    /// <summary><c>PUT /api/v1/apps/{app}/webhook-secret</c>: the secret forges sign this app's push deliveries with.</summary>
    public Task SetWebhookSecretAsync(string app, string secret, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, $"api/v1/apps/{Esc(app)}/webhook-secret", JsonContent.Create(new WebhookSecretRequest { Secret = secret }, options: Json), cancellationToken);

    /// <summary><c>PUT /api/v1/apps/{app}/secrets/{name}</c>: sets one secret; the answer never carries the value.</summary>
    public Task<SecretView> SetSecretAsync(string app, string name, string value, CancellationToken cancellationToken) =>
        SendAsync<SecretView>(HttpMethod.Put, $"api/v1/apps/{Esc(app)}/secrets/{Esc(name)}", JsonContent.Create(new SecretValueRequest { Value = value }, options: Json), cancellationToken);

    /// <summary><c>GET /api/v1/apps/{app}/secrets</c>: names and times only.</summary>
    public Task<IReadOnlyList<SecretView>> ListSecretsAsync(string app, CancellationToken cancellationToken) =>
        SendAsync<IReadOnlyList<SecretView>>(HttpMethod.Get, $"api/v1/apps/{Esc(app)}/secrets", null, cancellationToken);

    public Task UnsetSecretAsync(string app, string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"api/v1/apps/{Esc(app)}/secrets/{Esc(name)}", null, cancellationToken);

    /// <summary><c>GET /readyz</c>: true on 200, false on 503 (still recovering or draining).</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Get, "readyz", null, authenticated: false, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Get, "healthz", null, authenticated: false, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    /// <summary>The control plane's release manifest, as the server sent it.</summary>
    public async Task<JsonElement> GetVersionAsync(CancellationToken cancellationToken) =>
        JsonSerializer.Deserialize<JsonElement>(await GetTextAsync("version", authenticated: false, cancellationToken), Json);

    public Task<string> GetMetricsAsync(CancellationToken cancellationToken) =>
        GetTextAsync("metrics", authenticated: false, cancellationToken);

    /// <summary>
    /// Follows one deployment's events until its terminal event. A stream that drops early is re-opened with
    /// <c>Last-Event-ID</c> so no event is shown twice or missed; if the deployment turns out to be over already,
    /// following simply ends.
    /// </summary>
    public async IAsyncEnumerable<EventView> FollowDeploymentAsync(
        string id, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? lastEventId = null;
        var failures = 0;
        while (true)
        {
            var sawTerminal = false;
            var progressed = false;
            await using (var events = OpenEventsAsync($"api/v1/deployments/{Esc(id)}/events", lastEventId, cancellationToken)
                .GetAsyncEnumerator(cancellationToken))
            {
                while (true)
                {
                    ServerSentEvent sse;
                    try
                    {
                        if (!await events.MoveNextAsync())
                        {
                            break;
                        }

                        sse = events.Current;
                    }
                    catch (Exception ex) when (IsDroppedStream(ex, cancellationToken))
                    {
                        break;
                    }

                    progressed = true;
                    lastEventId = sse.Id ?? lastEventId;
                    var view = ToEventView(sse);
                    yield return view;
                    if (TerminalEventTypes.Contains(view.Type))
                    {
                        sawTerminal = true;
                        break;
                    }
                }
            }

            if (sawTerminal)
            {
                yield break;
            }

            failures = progressed ? 0 : failures + 1;
            if (failures > MaxReconnectAttempts)
            {
                throw new ServerUnreachableException(Endpoint.BaseUrl, null);
            }

            // The stream ended without the terminal event: the server restarted or a proxy cut it. If the
            // deployment is over there is nothing left to wait for; otherwise re-open from the last id seen.
            if (await IsFinishedAsync(id, cancellationToken))
            {
                yield break;
            }

            var delay = TimeSpan.FromTicks(Math.Min(ReconnectDelay.Ticks << Math.Min(failures, 5), TimeSpan.FromSeconds(5).Ticks));
            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    /// <summary>The server-wide event stream (<c>GET /api/v1/events</c>) until cancelled.</summary>
    public async IAsyncEnumerable<EventView> StreamAllEventsAsync(
        string? lastEventId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var sse in OpenEventsAsync("api/v1/events", lastEventId, cancellationToken))
        {
            yield return ToEventView(sse);
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    public static bool IsTerminalStatus(string status) => TerminalStatuses.Contains(status);

    private async Task<bool> IsFinishedAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var deployment = await GetDeploymentAsync(id, cancellationToken);
            return IsTerminalStatus(deployment.Status);
        }
        catch (ServerUnreachableException)
        {
            return false;
        }
    }

    private async IAsyncEnumerable<ServerSentEvent> OpenEventsAsync(
        string path, string? lastEventId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        try
        {
            using (var request = NewRequest(HttpMethod.Get, path, null, authenticated: true))
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                if (lastEventId is not null)
                {
                    request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
                }

                response = await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }

            await EnsureSuccessAsync(response, cancellationToken);
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            await foreach (var sse in ServerSentEventReader.ReadAsync(stream, cancellationToken))
            {
                yield return sse;
            }
        }
        finally
        {
            response?.Dispose();
        }
    }

    private static EventView ToEventView(ServerSentEvent sse)
    {
        EventView? view = null;
        try
        {
            view = JsonSerializer.Deserialize<EventView>(sse.Data, Json);
        }
        catch (JsonException)
        {
            // Not an EventView: keep the payload as the event's data below.
        }

        if (view is not null && !string.IsNullOrEmpty(view.Type))
        {
            return view;
        }

        JsonElement? data = null;
        try
        {
            data = JsonSerializer.Deserialize<JsonElement>(sse.Data, Json);
        }
        catch (JsonException)
        {
            data = JsonSerializer.SerializeToElement(sse.Data, Json);
        }

        _ = long.TryParse(sse.Id, out var seq);
        return new EventView { Type = sse.Event, Seq = seq, Data = data };
    }

    private static bool IsDroppedStream(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && ex is IOException or HttpRequestException or ServerUnreachableException;

    private async Task SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, content, authenticated: true, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, content, authenticated: true, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await ReadJsonAsync<T>(response, cancellationToken);
    }

    private async Task<DeployOutcome> SendOutcomeAsync(string path, HttpContent content, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Post, path, content, authenticated: true, cancellationToken, waitForever: true);
        // A failed (500) or cancelled/superseded (409) deployment still answers with its outcome.
        if (response.StatusCode is HttpStatusCode.InternalServerError or HttpStatusCode.Conflict)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var outcome = TryDeserialize<DeployOutcome>(text);
            if (outcome is not null && !string.IsNullOrEmpty(outcome.Id))
            {
                return outcome;
            }

            throw new AdminApiException(response.StatusCode, TryDeserialize<ApiError>(text), Describe(response));
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return await ReadJsonAsync<DeployOutcome>(response, cancellationToken);
    }

    private async Task<string> GetTextAsync(string path, bool authenticated, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Get, path, null, authenticated, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private async Task<HttpResponseMessage> SendRawAsync(
        HttpMethod method, string path, HttpContent? content, bool authenticated, CancellationToken cancellationToken, bool waitForever = false)
    {
        using var request = NewRequest(method, path, content, authenticated);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (!waitForever)
        {
            deadline.CancelAfter(RequestTimeout);
        }

        try
        {
            var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token);
            return response;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerUnreachableException(Endpoint.BaseUrl, new TimeoutException($"no answer within {RequestTimeout.TotalSeconds:0}s"));
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(
        HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException ex) when (IsUnreachable(ex))
        {
            throw new ServerUnreachableException(Endpoint.BaseUrl, ex);
        }
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string path, HttpContent? content, bool authenticated)
    {
        var request = new HttpRequestMessage(method, new Uri(Endpoint.BaseUrl, path)) { Content = content };
        if (authenticated && Endpoint.Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Endpoint.Token);
        }

        return request;
    }

    private static bool IsUnreachable(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
        || ex.InnerException is SocketException;

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var error = TryDeserialize<ApiError>(text);
        throw new AdminApiException(response.StatusCode, error is { Error.Length: > 0 } ? error : null, Describe(response));
    }

    private static string Describe(HttpResponseMessage response) =>
        $"the admin API answered {(int)response.StatusCode} {response.ReasonPhrase} to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}";

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
        ?? throw new JsonException($"the admin API sent an empty body for {response.RequestMessage?.RequestUri?.AbsolutePath}");

    private static T? TryDeserialize<T>(string text)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Esc(string segment) => Uri.EscapeDataString(segment);
}
