using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Slipway.Edge.Tls;

namespace Slipway.Edge.Acme;

/// <summary>
/// Keeps a certificate for every <c>tls: auto</c> name: orders one for a name without, renews at about two
/// thirds of its life, tries HTTP-01 and then TLS-ALPN-01, and backs off on failure (honouring
/// <c>Retry-After</c>). A failure never touches the certificate being served.
/// </summary>
internal sealed partial class CertificateRenewer : IAsyncDisposable
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(1);

    private readonly AcmeOptions _options;
    private readonly string _accountPath;
    private readonly CertificateManager _certificates;
    private readonly ChallengeResponder _responder;
    private readonly TlsPolicyTable _policies;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, AcmeHostStatus> _status = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _forced = new(StringComparer.Ordinal);
    private readonly HttpClient _http;
    private AcmeClient? _client;
    private Task _loop = Task.CompletedTask;

    public CertificateRenewer(AcmeOptions options, string acmeDirectory, CertificateManager certificates, ChallengeResponder responder,
        TlsPolicyTable policies, TimeProvider time, ILogger logger)
    {
        _options = options;
        _accountPath = AcmeAccount.PathFor(acmeDirectory, options.Directory);
        _certificates = certificates;
        _responder = responder;
        _policies = policies;
        _time = time;
        _logger = logger;
        _http = new HttpClient(Handler(options.CaRootFile)) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public IReadOnlyList<AcmeHostStatus> Statuses =>
        _policies.AutoHosts.Select(h => _status.GetValueOrDefault(h) ?? new AcmeHostStatus { Host = h }).ToList();

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Routes changed: look for names that need a certificate now.</summary>
    public void Signal() => _wake.Release();

    /// <summary><c>slipway certs renew HOST</c>: renew now, even before it is due, and forget the backoff.</summary>
    public bool ForceRenew(string host)
    {
        if (!_policies.AutoHosts.Contains(host))
        {
            return false;
        }

        _forced[host] = true;
        _status.AddOrUpdate(host, h => new AcmeHostStatus { Host = h }, (_, s) => s with { NextAttemptAt = null });
        Signal();
        return true;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var next = _time.GetUtcNow() + Idle;
            foreach (var host in _policies.AutoHosts)
            {
                var due = DueAt(host);
                if (due <= _time.GetUtcNow())
                {
                    await AttemptAsync(host, stopping);
                    due = DueAt(host);
                }

                next = due < next ? due : next;
            }

            var wait = next - _time.GetUtcNow();
            using var timeout = new CancellationTokenSource(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, _time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
            try
            {
                await _wake.WaitAsync(either.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                // Time for the next due name.
            }
        }
    }

    private DateTimeOffset DueAt(string host)
    {
        var status = _status.GetValueOrDefault(host);
        if (status?.NextAttemptAt is { } retry)
        {
            return retry;
        }

        if (_forced.ContainsKey(host))
        {
            return DateTimeOffset.MinValue;
        }

        var served = _certificates.Store.Current.Get(host);
        if (served is null)
        {
            return DateTimeOffset.MinValue;
        }

        // A certificate added from files for an auto name is the user's choice; it is left alone.
        return served.Source == "acme" ? RenewAt(served) : DateTimeOffset.MaxValue;
    }

    public static DateTimeOffset RenewAt(ServedCertificate served) =>
        RenewalSchedule.RenewAt(served.NotBefore, served.NotAfter, (served.Leaf.SerialNumber.GetHashCode(StringComparison.Ordinal) & 0xffff) / 65536.0);

    private async Task AttemptAsync(string host, CancellationToken stopping)
    {
        var previous = _status.GetValueOrDefault(host) ?? new AcmeHostStatus { Host = host };
        _status[host] = previous with { State = "issuing", LastAttemptAt = _time.GetUtcNow() };
        _forced.TryRemove(host, out _);
        var renewing = _certificates.Store.Current.Get(host) is not null;
        _certificates.Journal.Append("acme.order", host, renewing ? "renewal" : "first certificate");
        Log.Attempting(_logger, host, renewing);

        var challenges = previous.Challenge == AcmeIssuer.TlsAlpn01 ? new[] { AcmeIssuer.TlsAlpn01, AcmeIssuer.Http01 } : [AcmeIssuer.Http01, AcmeIssuer.TlsAlpn01];
        var errors = new List<string>();
        TimeSpan? retryAfter = null;
        foreach (var challenge in challenges)
        {
            try
            {
                var issuer = new AcmeIssuer(await ClientAsync(stopping), _responder, _options.Email, _time, _logger);
                var (certificatePem, keyPem) = await issuer.IssueAsync(host, challenge, stopping);
                var served = _certificates.Add(host, certificatePem, keyPem, "acme");
                _status[host] = new AcmeHostStatus
                {
                    Host = host, State = "valid", RenewAt = RenewAt(served), LastAttemptAt = previous.LastAttemptAt ?? _time.GetUtcNow(), Challenge = challenge,
                };
                _certificates.Journal.Append("acme.issued", host, $"by {challenge}; not after {served.NotAfter:yyyy-MM-dd HH:mm:ss} UTC");
                return;
            }
            catch (Exception ex) when (ex is AcmeException or CertificateRejectedException or InvalidOperationException or IOException
                && !stopping.IsCancellationRequested)
            {
                errors.Add($"{challenge}: {ex.Message}");
                retryAfter = ex is AcmeException { RetryAfter: { } asked } ? asked : retryAfter;
                if (ex is AcmeException { Problem.Type: "urn:ietf:params:acme:error:accountDoesNotExist" } && _client is not null)
                {
                    _client.AccountUrl = null;
                }

                // Unreachable server, refused name or rate limit: the other challenge would fail the same way.
                if (ex is not AcmeException { Problem: { } problem } || !IsValidationFailure(problem))
                {
                    break;
                }
            }
        }

        var failures = previous.Failures + 1;
        var wait = RenewalSchedule.Backoff(failures, retryAfter);
        var error = string.Join(" | ", errors);
        _status[host] = previous with
        {
            State = "failing", LastAttemptAt = _time.GetUtcNow(), LastError = error, Failures = failures, NextAttemptAt = _time.GetUtcNow() + wait,
        };
        _certificates.Journal.Append("acme.failed", host, $"{error}; next attempt in {wait.TotalSeconds:0} s");
        Log.Failed(_logger, host, error, wait);
    }

    private static bool IsValidationFailure(AcmeProblem problem) =>
        problem.Type is "urn:ietf:params:acme:error:connection" or "urn:ietf:params:acme:error:unauthorized"
            or "urn:ietf:params:acme:error:incorrectResponse" or "urn:ietf:params:acme:error:tls" or "urn:ietf:params:acme:error:dns" or null;

    private async Task<AcmeClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { AccountUrl: not null })
        {
            return _client;
        }

        var account = AcmeAccount.LoadOrCreate(_accountPath, _options.Directory);
        if (_client is null)
        {
            _client = new AcmeClient(_http, new Uri(_options.Directory), AcmeSigner.FromPkcs8(Convert.FromBase64String(account.KeyPkcs8)), _time)
            {
                AccountUrl = account.AccountUrl,
            };
        }

        if (_client.AccountUrl is null)
        {
            await _client.EnsureAccountAsync(_options.Email, cancellationToken);
            (account with { AccountUrl = _client.AccountUrl }).Save(_accountPath);
            Log.Account(_logger, _options.Directory);
        }

        return _client;
    }

    private static SocketsHttpHandler Handler(string? caRootFile)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (caRootFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caRootFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }

        return handler;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _wake.Dispose();
        _http.Dispose();
        _client?.Signer.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Getting a certificate for {Host} from the ACME server (renewal: {Renewing})")]
        public static partial void Attempting(ILogger logger, string host, bool renewing);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "No certificate for {Host} this time: {Error}; next attempt in {Wait}")]
        public static partial void Failed(ILogger logger, string host, string error, TimeSpan wait);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "ACME account ready at {Directory}")]
        public static partial void Account(ILogger logger, string directory);
    }
}
