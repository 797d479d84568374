using System.Security.Cryptography;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Store;
using Slipway.Edge.Secrets;

namespace Slipway.ControlPlane.Secrets;

/// <summary>
/// An app's secrets (<c>slipway secrets set</c>): sealed with the master key before they reach the store, opened only
/// to be injected into a build, a migration or a generation, and known to every redactor. The pipeline asks
/// <see cref="Values"/> for an app's values; everything shown or journaled goes through a redactor built from them.
/// </summary>
internal sealed class AppSecrets
{
    private readonly SlipwayStore _store;
    private readonly Lazy<SecretBox> _box;
    private volatile Redactor _journal = Redactor.None;

    public AppSecrets(SlipwayStore store, Func<SecretBox> box)
    {
        _store = store;
        _box = new Lazy<SecretBox>(box);
    }

    /// <summary>Sets a secret; true when the name is new. Callers check <see cref="SecretNames"/> first.</summary>
    public bool Set(string app, string name, string value)
    {
        var created = _store.SetAppSecret(app, name, _box.Value.Seal(value, Owner(app, name)));
        Refresh();
        return created;
    }

    /// <summary>Removes a secret; false when it was not set.</summary>
    public bool Unset(string app, string name)
    {
        var removed = _store.UnsetAppSecret(app, name);
        Refresh();
        return removed;
    }

    /// <summary>Names and times only.</summary>
    public IReadOnlyList<AppSecretRecord> List(string app) => _store.ListAppSecrets(app);

    /// <summary>The app's secret values in clear, by name, for the environment of its builds, migrations and generations.</summary>
    /// <exception cref="SecretsUnreadableException">A value was sealed under another master key (or altered).</exception>
    public IReadOnlyDictionary<string, string> Values(string app)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in _store.ListAppSecrets(app))
        {
            values[record.Name] = Open(record) ?? throw new SecretsUnreadableException(
                $"secret {record.Name} of {app} does not open with this master key (was {MasterKey.EnvironmentVariable} or master.key changed?); "
                + $"set it again with `slipway secrets set {app} {record.Name}`");
        }

        return values;
    }

    /// <summary>The redactor of one app's values, for its deployment log and its process output.</summary>
    public Redactor RedactorFor(string app) => Redactor.ForSecrets(Values(app).Values);

    /// <summary>Masks every app's values, also as JSON escapes them: for journal rows and other shared text.</summary>
    public string RedactAll(string text) => _journal.Redact(text);

    /// <summary>Rebuilds the all-apps redactor from the store; run at start-up and after every change.</summary>
    public void Refresh()
    {
        var values = _store.ListAllAppSecrets().Select(Open).OfType<string>().ToList();
        _journal = Redactor.ForSecrets(values, inJson: true);
    }

    private string? Open(AppSecretRecord record)
    {
        try
        {
            return _box.Value.Open(record.Sealed, Owner(record.App, record.Name));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return null;
        }
    }

    private static string Owner(string app, string name) => $"secret:{app}/{name}";
}
