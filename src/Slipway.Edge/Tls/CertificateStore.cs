namespace Slipway.Edge.Tls;

/// <summary>
/// The certificates the TLS listener serves, read lock-free by every handshake and replaced whole like the
/// route table: a handshake sees either the old set or the new one, so adding, renewing or replacing a
/// certificate never fails a connection.
/// </summary>
internal sealed class CertificateStore
{
    private CertificateSet _current = CertificateSet.Empty;

    public CertificateSet Current => Volatile.Read(ref _current);

    public void Replace(CertificateSet next) => Interlocked.Exchange(ref _current, next);
}
