using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Slipway.Edge.Control.Contracts;
using Slipway.Edge.Tls;

namespace Slipway.Edge.Control;

/// <summary>The <c>/certificates</c> routes of the control API (<c>slipway certs</c>).</summary>
internal sealed class CertificateControl(EdgeTls tls, TimeProvider time)
{
    public IReadOnlyList<CertificateInfo> List()
    {
        var served = tls.Store.Current.All;
        var acme = tls.Renewer?.Statuses.ToDictionary(s => s.Host, StringComparer.Ordinal) ?? [];
        var rows = served.Select(c => Describe(c) with { Acme = acme.GetValueOrDefault(c.Host) }).ToList();
        rows.AddRange(acme.Values.Where(a => served.All(c => c.Host != a.Host)).Select(a => new CertificateInfo { Host = a.Host, Acme = a }));
        return [.. rows.OrderBy(r => r.Host, StringComparer.Ordinal)];
    }

    public CertificateInfo Add(AddCertificateRequest request)
    {
        try
        {
            return Describe(tls.Certificates.Add(request.Host, request.CertificatePem, request.KeyPem, "files"));
        }
        catch (CertificateRejectedException ex)
        {
            throw ControlException.BadRequest(ex.Message, ex.Field);
        }
    }

    public IResult Remove(string host) =>
        tls.Certificates.Remove(host) ? Results.NoContent() : throw ControlException.NotFound($"No certificate is served for '{host}'; `slipway certs list` shows them.");

    public IResult Renew(string host)
    {
        if (tls.Renewer is null)
        {
            throw new ControlException(409, new ControlError { Error = "This edge has no TLS listener (--https), so it orders no certificates." });
        }

        return tls.Renewer.ForceRenew(CertificateHost.Normalize(host))
            ? Results.Accepted()
            : throw ControlException.NotFound($"'{host}' is not the host of a route with `tls: auto`; only those are renewed by ACME.");
    }

    private CertificateInfo Describe(ServedCertificate certificate) => new()
    {
        Host = certificate.Host,
        Source = certificate.Source,
        Issuer = certificate.Leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: true),
        Names = [.. certificate.Leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames())],
        Serial = certificate.Leaf.SerialNumber,
        NotBefore = certificate.NotBefore,
        NotAfter = certificate.NotAfter,
        DaysLeft = Math.Round((certificate.NotAfter - time.GetUtcNow()).TotalDays, 1),
    };
}
