using System.Net.Http.Json;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Slipway.Edge.Acme;

/// <summary>
/// A small RFC 8555 client: directory, nonces (a <c>badNonce</c> answer is retried with the fresh nonce it
/// carries), account, order, authorization, challenge, finalize and download, all as JWS-signed POSTs.
/// Failures are <see cref="AcmeException"/>s carrying the server's problem and <c>Retry-After</c>.
/// </summary>
internal sealed class AcmeClient(HttpClient http, Uri directoryUrl, AcmeSigner signer, TimeProvider time)
{
    private const int BadNonceRetries = 5;
    private const string JoseJson = "application/jose+json";

    private AcmeDirectory? _directory;
    private string? _nonce;

    public AcmeSigner Signer => signer;

    /// <summary>The account URL (<c>kid</c>) once <see cref="EnsureAccountAsync"/> ran.</summary>
    public string? AccountUrl { get; set; }

    public async Task EnsureAccountAsync(string? email, CancellationToken cancellationToken)
    {
        if (AccountUrl is not null)
        {
            return;
        }

        var directory = await DirectoryAsync(cancellationToken);
        var payload = new Dictionary<string, object> { ["termsOfServiceAgreed"] = true };
        if (!string.IsNullOrEmpty(email))
        {
            payload["contact"] = new[] { "mailto:" + email };
        }

        using var response = await PostAsync(directory.NewAccount, payload, useKid: false, cancellationToken);
        AccountUrl = response.Headers.Location?.ToString()
            ?? throw new AcmeException($"The ACME server at {directoryUrl} created an account but gave no account URL (Location header).");
    }

    public async Task<(string Url, AcmeOrder Order)> NewOrderAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var directory = await DirectoryAsync(cancellationToken);
        var payload = new { identifiers = names.Select(n => new AcmeIdentifier { Value = n }).ToList() };
        using var response = await PostAsync(directory.NewOrder, payload, useKid: true, cancellationToken);
        var url = response.Headers.Location?.ToString() ?? throw new AcmeException("The ACME server gave no order URL (Location header).");
        return (url, await ReadAsync<AcmeOrder>(response, cancellationToken));
    }

    public async Task<T> GetAsync<T>(string url, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(url, null, useKid: true, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    /// <summary>A resource and the server's <c>Retry-After</c> (for polling).</summary>
    public async Task<(T Resource, TimeSpan? RetryAfter)> PollAsync<T>(string url, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(url, null, useKid: true, cancellationToken);
        return (await ReadAsync<T>(response, cancellationToken), RetryAfter(response));
    }

    /// <summary>Tells the server the challenge response is in place (payload <c>{}</c>).</summary>
    public async Task AcceptChallengeAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(url, new Dictionary<string, object>(), useKid: true, cancellationToken);
    }

    public async Task<AcmeOrder> FinalizeAsync(string finalizeUrl, byte[] csr, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(finalizeUrl, new { csr = Base64Url.Encode(csr) }, useKid: true, cancellationToken);
        return await ReadAsync<AcmeOrder>(response, cancellationToken);
    }

    public async Task<string> DownloadCertificateAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(url, null, useKid: true, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private async Task<AcmeDirectory> DirectoryAsync(CancellationToken cancellationToken)
    {
        if (_directory is not null)
        {
            return _directory;
        }

        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, directoryUrl), cancellationToken);
        await ThrowIfFailedAsync(response, cancellationToken);
        _directory = await ReadAsync<AcmeDirectory>(response, cancellationToken);
        if (_directory.NewNonce.Length == 0 || _directory.NewAccount.Length == 0 || _directory.NewOrder.Length == 0)
        {
            throw new AcmeException($"{directoryUrl} is not an ACME directory (no newNonce, newAccount or newOrder); check --acme-directory.");
        }

        return _directory;
    }

    private async Task<string> NonceAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _nonce, null) is { } saved)
        {
            return saved;
        }

        var directory = await DirectoryAsync(cancellationToken);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, directory.NewNonce), cancellationToken);
        return response.Headers.TryGetValues("Replay-Nonce", out var values) ? values.First()
            : throw new AcmeException($"The ACME server gave no nonce at {directory.NewNonce}.");
    }

    private async Task<HttpResponseMessage> PostAsync(string url, object? payload, bool useKid, CancellationToken cancellationToken)
    {
        if (useKid && AccountUrl is null)
        {
            throw new InvalidOperationException("The ACME account is not set up yet.");
        }

        for (var attempt = 0; ; attempt++)
        {
            var nonce = await NonceAsync(cancellationToken);
            var body = signer.Sign(url, nonce, useKid ? AccountUrl : null, payload);
            var response = await SendAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(JoseJson);
                return request;
            }, cancellationToken);
            try
            {
                await ThrowIfFailedAsync(response, cancellationToken);
                return response;
            }
            catch (AcmeException ex) when (ex.IsBadNonce && attempt < BadNonceRetries)
            {
                // The answer carried a fresh nonce (saved by SendAsync); sign again with it.
                response.Dispose();
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        using var request = create();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new AcmeException($"The ACME server at {directoryUrl} does not answer ({request.Method} {request.RequestUri}: {ex.Message}); check --acme-directory and the network.", inner: ex);
        }

        if (response.Headers.TryGetValues("Replay-Nonce", out var nonces))
        {
            Volatile.Write(ref _nonce, nonces.First());
        }

        return response;
    }

    private async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        AcmeProblem? problem = null;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            problem = JsonSerializer.Deserialize<AcmeProblem>(text, AcmeJson.Options);
        }
        catch (JsonException)
        {
        }

        var what = problem?.Detail is not null ? problem.ToString() : $"{(int)response.StatusCode} {response.ReasonPhrase}";
        throw new AcmeException($"The ACME server refused {response.RequestMessage?.RequestUri}: {what}", problem, RetryAfter(response));
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(AcmeJson.Options, cancellationToken)
                ?? throw new AcmeException($"The ACME server answered {response.RequestMessage?.RequestUri} with an empty body.");
        }
        catch (JsonException ex)
        {
            throw new AcmeException($"The ACME server's answer to {response.RequestMessage?.RequestUri} is not the JSON expected ({ex.Message}).", inner: ex);
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } retry)
        {
            return null;
        }

        if (retry.Delta is { } delta)
        {
            return delta;
        }

        return retry.Date is { } date ? (date - time.GetUtcNow()) is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero : null;
    }
}
