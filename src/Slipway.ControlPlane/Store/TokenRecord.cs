namespace Slipway.ControlPlane.Store;

/// <summary>An API token as stored: only its SHA-256 hash, never the token itself.</summary>
internal sealed record TokenRecord(
    string Id,
    string Name,
    string Hash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt,
    TokenRole Role = TokenRole.Admin)
{
    public bool IsRevoked => RevokedAt is not null;

    public bool MayWrite => Role == TokenRole.Admin;
}
