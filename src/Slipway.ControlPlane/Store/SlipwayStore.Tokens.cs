using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Slipway.ControlPlane.Store;

internal sealed partial class SlipwayStore
{
    private const string TokenColumns = "id, name, hash, created_at, last_used_at, revoked_at, role";

    /// <summary>Lowercase hex SHA-256 of a token, as stored. Tokens are random and long, so no salt or stretching is needed.</summary>
    public static string HashToken(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public IReadOnlyList<TokenRecord> ListTokens() => Read(c => ReadAll(Query(c, $"SELECT {TokenColumns} FROM tokens ORDER BY created_at, id"), MapToken));

    public TokenRecord? GetToken(string id) => Read(c =>
        ReadAll(Query(c, $"SELECT {TokenColumns} FROM tokens WHERE id = $id", ("$id", id)), MapToken).SingleOrDefault());

    /// <summary>The unrevoked token whose secret is <paramref name="secret"/>, or null.</summary>
    public TokenRecord? FindActiveToken(string secret) => Read(c =>
        ReadAll(Query(c, $"SELECT {TokenColumns} FROM tokens WHERE hash = $hash AND revoked_at IS NULL", ("$hash", HashToken(secret))), MapToken)
            .SingleOrDefault());

    /// <summary>
    /// Creates a token; only its hash is stored. Appends <c>token.created</c> (id, name and role, never the secret).
    /// </summary>
    public CreatedToken CreateToken(string name, TokenRole role = TokenRole.Admin) => Write(tx =>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var id = "tok_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = "slw_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var roleText = ToText(role);
        tx.Execute("INSERT INTO tokens(id, name, hash, created_at, role) VALUES ($id, $name, $hash, $now, $role)",
            ("$id", id), ("$name", name), ("$hash", HashToken(secret)), ("$now", tx.NowText), ("$role", roleText));
        tx.AppendEvent(EventTypes.TokenCreated, null, null, null, new { id, name, role = roleText });
        return new CreatedToken(LoadToken(tx, id), secret);
    });

    /// <summary>Revokes a token; appends <c>token.revoked</c>. Revoking a revoked token changes nothing.</summary>
    public TokenRecord RevokeToken(string id) => Write(tx =>
    {
        var token = LoadToken(tx, id);
        if (token.IsRevoked)
        {
            return token;
        }

        tx.Execute("UPDATE tokens SET revoked_at = $now WHERE id = $id", ("$id", id), ("$now", tx.NowText));
        tx.AppendEvent(EventTypes.TokenRevoked, null, null, null, new { id, name = token.Name });
        return LoadToken(tx, id);
    });

    /// <summary>
    /// Notes that a token was used. Not journaled: it is bookkeeping, not a state transition, and would flood the
    /// journal with one event per API call.
    /// </summary>
    public void TouchToken(string id)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!IsLeader)
            {
                // A follower only reads; last-used bookkeeping waits until it leads.
                return;
            }

            using var command = Query(_connection, "UPDATE tokens SET last_used_at = $now WHERE id = $id",
                ("$id", id), ("$now", StoreTime.Format(_time.GetUtcNow())));
            command.ExecuteNonQuery();
        }
    }

    private static TokenRecord LoadToken(StoreTransaction tx, string id)
    {
        using var command = tx.Command($"SELECT {TokenColumns} FROM tokens WHERE id = $id", ("$id", id));
        return ReadAll(command, MapToken).SingleOrDefault() ?? throw NotFound($"Token {id} does not exist; `slipway tokens list` shows them.");
    }

    public static string ToText(TokenRole role) => role == TokenRole.Viewer ? "viewer" : "admin";

    /// <summary>The role named <paramref name="text"/> (<c>admin</c> or <c>viewer</c>), or null for anything else.</summary>
    public static TokenRole? ParseRole(string? text) => text switch
    {
        "admin" => TokenRole.Admin,
        "viewer" => TokenRole.Viewer,
        _ => null,
    };

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static TokenRecord MapToken(SqliteDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        StoreTime.Parse(r.GetString(3)),
        StoreTime.ParseNullable(NullableString(r, 4)),
        StoreTime.ParseNullable(NullableString(r, 5)),
        ParseRole(r.GetString(6)) ?? TokenRole.Viewer);
}
