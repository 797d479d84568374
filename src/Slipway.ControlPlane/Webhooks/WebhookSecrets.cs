using System.Security.Cryptography;
using Slipway.Edge.Secrets;
using Slipway.ControlPlane.Store;

namespace Slipway.ControlPlane.Webhooks;

/// <summary>Per-app webhook secrets, sealed with the master key before they reach the store.</summary>
internal sealed class WebhookSecrets(SlipwayStore store, Func<SecretBox> box)
{
    public const int MinimumLength = 16;
    public const int MaximumLength = 1024;

    private readonly Lazy<SecretBox> _box = new(box);

    /// <summary>The reason <paramref name="secret"/> cannot be used, or null when it can.</summary>
    public static string? Problem(string? secret) => secret switch
    {
        null or "" => "secret: give the webhook secret (the same text you enter in the forge's webhook settings)",
        { Length: < MinimumLength } => $"secret: use at least {MinimumLength} characters (e.g. `openssl rand -hex 32`); a short secret can be guessed",
        { Length: > MaximumLength } => $"secret: use at most {MaximumLength} characters",
        _ when secret.Any(char.IsControl) => "secret: control characters and line breaks are not allowed",
        _ => null,
    };

    public void Set(string app, string secret) => store.SetWebhookSecret(app, _box.Value.Seal(secret, Owner(app)));

    /// <summary>Every app's webhook secret in clear, for checking a delivery's signature. Apps whose secret cannot be opened are left out.</summary>
    public IReadOnlyDictionary<string, string> All()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (app, sealedSecret) in store.ListWebhookSecrets())
        {
            if (TryOpen(app, sealedSecret) is { } secret)
            {
                result[app] = secret;
            }
        }

        return result;
    }

    /// <summary>The webhook secret of <paramref name="app"/> alone (empty when it has none or it does not open): one decryption, not one per app.</summary>
    public IReadOnlyDictionary<string, string> For(string app)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (store.ListWebhookSecrets().TryGetValue(app, out var sealedSecret) && TryOpen(app, sealedSecret) is { } secret)
        {
            result[app] = secret;
        }

        return result;
    }

    private string? TryOpen(string app, string sealedSecret)
    {
        try
        {
            return _box.Value.Open(sealedSecret, Owner(app));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            // Sealed under another master key, or not something this version wrote: its deliveries get 401.
            return null;
        }
    }

    private static string Owner(string app) => "webhook:" + app;
}
