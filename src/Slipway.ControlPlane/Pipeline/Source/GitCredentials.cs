namespace Slipway.ControlPlane.Pipeline.Source;

/// <summary>
/// What git is given when a private repository asks for a login: taken from the app's secrets
/// <c>GIT_USERNAME</c> and <c>GIT_PASSWORD</c> (a token works as the password on every forge).
/// </summary>
internal sealed record GitCredentials(string Username, string Password)
{
    public const string UsernameSecret = "GIT_USERNAME";
    public const string PasswordSecret = "GIT_PASSWORD";

    /// <summary>The credentials among an app's secrets, or null when it has no password secret.</summary>
    public static GitCredentials? From(IReadOnlyDictionary<string, string> secrets) =>
        secrets.TryGetValue(PasswordSecret, out var password) && password.Length > 0
            ? new GitCredentials(secrets.TryGetValue(UsernameSecret, out var user) && user.Length > 0 ? user : "git", password)
            : null;

    // Never printed, even by accident through a record's generated ToString.
    public override string ToString() => $"GitCredentials {{ Username = {Username}, Password = *** }}";
}
