using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Slipway.Edge.Acme;

/// <summary>
/// One certificate for one name, from order to PEM: answers each authorization with the chosen challenge
/// (HTTP-01 or TLS-ALPN-01) through the <see cref="ChallengeResponder"/>, finalizes with a CSR for a fresh
/// P-256 key and downloads the chain. Throws <see cref="AcmeException"/> with the server's reason.
/// </summary>
internal sealed partial class AcmeIssuer(AcmeClient client, ChallengeResponder responder, string? email, TimeProvider time, ILogger logger)
{
    public const string Http01 = "http-01";
    public const string TlsAlpn01 = "tls-alpn-01";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaximumPollWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ValidationDeadline = TimeSpan.FromMinutes(2);

    public async Task<(string CertificatePem, string KeyPem)> IssueAsync(string host, string challengeType, CancellationToken cancellationToken)
    {
        await client.EnsureAccountAsync(email, cancellationToken);
        var (orderUrl, order) = await client.NewOrderAsync([host], cancellationToken);
        Log.Ordered(logger, host, challengeType);
        foreach (var authorizationUrl in order.Authorizations)
        {
            await AuthorizeAsync(host, authorizationUrl, challengeType, cancellationToken);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        order = await client.FinalizeAsync(order.Finalize, request.CreateSigningRequest(), cancellationToken);

        var deadline = time.GetUtcNow() + ValidationDeadline;
        while (order.Status is "pending" or "ready" or "processing")
        {
            if (time.GetUtcNow() > deadline)
            {
                throw new AcmeException($"The ACME server did not issue the certificate for {host} within {ValidationDeadline.TotalMinutes:0} minutes (order {order.Status}).");
            }

            var (next, retryAfter) = await client.PollAsync<AcmeOrder>(orderUrl, cancellationToken);
            order = next;
            if (order.Status is "pending" or "ready" or "processing")
            {
                await Task.Delay(Wait(retryAfter), time, cancellationToken);
            }
        }

        if (order.Status != "valid" || order.Certificate is null)
        {
            throw new AcmeException($"The ACME server did not issue the certificate for {host}: order {order.Status}{(order.Error is null ? "" : ": " + order.Error)}", order.Error);
        }

        var chain = await client.DownloadCertificateAsync(order.Certificate, cancellationToken);
        return (chain, key.ExportPkcs8PrivateKeyPem());
    }

    private async Task AuthorizeAsync(string host, string url, string challengeType, CancellationToken cancellationToken)
    {
        var authorization = await client.GetAsync<AcmeAuthorization>(url, cancellationToken);
        if (authorization.Status == "valid")
        {
            return;
        }

        var challenge = authorization.Challenges.FirstOrDefault(c => c.Type == challengeType)
            ?? throw new AcmeException($"The ACME server offers no {challengeType} challenge for {host} (it offers {string.Join(", ", authorization.Challenges.Select(c => c.Type))}).");
        var keyAuthorization = client.Signer.KeyAuthorization(challenge.Token);
        if (challengeType == Http01)
        {
            responder.AddHttp(challenge.Token, keyAuthorization);
        }
        else
        {
            responder.AddTlsAlpn(host, TlsAlpnCertificate.Create(host, keyAuthorization, time.GetUtcNow()));
        }

        try
        {
            await client.AcceptChallengeAsync(challenge.Url, cancellationToken);
            var deadline = time.GetUtcNow() + ValidationDeadline;
            while (authorization.Status == "pending")
            {
                if (time.GetUtcNow() > deadline)
                {
                    throw new AcmeException($"The ACME server did not validate {host} by {challengeType} within {ValidationDeadline.TotalMinutes:0} minutes.");
                }

                var (next, retryAfter) = await client.PollAsync<AcmeAuthorization>(url, cancellationToken);
                authorization = next;
                if (authorization.Status == "pending")
                {
                    await Task.Delay(Wait(retryAfter), time, cancellationToken);
                }
            }
        }
        finally
        {
            responder.RemoveHttp(challenge.Token);
            responder.RemoveTlsAlpn(host);
        }

        if (authorization.Status != "valid")
        {
            var problem = authorization.Challenges.FirstOrDefault(c => c.Type == challengeType)?.Error;
            throw new AcmeException($"The ACME server could not validate {host} by {challengeType}: {problem?.ToString() ?? authorization.Status}", problem);
        }

        Log.Validated(logger, host, challengeType);
    }

    private static TimeSpan Wait(TimeSpan? retryAfter) =>
        retryAfter is { } wait ? (wait > MaximumPollWait ? MaximumPollWait : wait < TimeSpan.Zero ? PollInterval : wait) : PollInterval;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "ACME order for {Host} placed; answering by {Challenge}")]
        public static partial void Ordered(ILogger logger, string host, string challenge);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "ACME server validated {Host} by {Challenge}")]
        public static partial void Validated(ILogger logger, string host, string challenge);
    }
}
