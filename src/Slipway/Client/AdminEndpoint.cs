using Slipway.Install;

namespace Slipway.Client;

/// <summary>
/// Where the admin API lives and which token to present, resolved once per command from the flags, then the
/// environment, then the defaults (docs/architecture.md §5).
/// </summary>
internal sealed record AdminEndpoint
{
    public const string DefaultUrl = "http://127.0.0.1:7070";

    public const string TokenFileName = "admin.token";

    public required Uri BaseUrl { get; init; }

    /// <summary>Absolute path of the Slipway home directory.</summary>
    public required string Home { get; init; }

    public string? Token { get; init; }

    /// <summary>Where the token came from, for error messages; never the token itself.</summary>
    public string? TokenSource { get; init; }

    public string TokenFile => Path.Combine(Home, TokenFileName);

    /// <summary>Resolves the endpoint. Throws <see cref="CliConfigurationException"/> for a URL that is not http(s).</summary>
    public static AdminEndpoint Resolve(string? urlOption, string? homeOption, Func<string, string?> environment)
    {
        // On a host set up by `slipway install`, its config says where the service listens and keeps its home.
        var installed = HostConfig.Read(environment);
        var home = Path.GetFullPath(NonEmpty(homeOption) ?? NonEmpty(environment("SLIPWAY_HOME")) ?? NonEmpty(installed.GetValueOrDefault("SLIPWAY_HOME")) ?? ".slipway");
        var urlText = NonEmpty(urlOption) ?? NonEmpty(environment("SLIPWAY_URL")) ?? NonEmpty(installed.GetValueOrDefault("SLIPWAY_URL")) ?? DefaultUrl;
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliConfigurationException(
                $"'{urlText}' is not an http(s) URL: set --url or SLIPWAY_URL to the admin address, e.g. {DefaultUrl}");
        }

        if (!url.AbsolutePath.EndsWith('/'))
        {
            // Relative API paths resolve under a path prefix only when the base ends with a slash.
            url = new Uri(url.ToString() + "/");
        }

        var token = NonEmpty(environment("SLIPWAY_TOKEN"));
        string? source = token is null ? null : "SLIPWAY_TOKEN";
        if (token is null)
        {
            var file = Path.Combine(home, TokenFileName);
            token = ReadTokenFile(file);
            source = token is null ? null : file;
        }

        return new AdminEndpoint { BaseUrl = url, Home = home, Token = token, TokenSource = source };
    }

    public static AdminEndpoint FromEnvironment(string? urlOption, string? homeOption) =>
        Resolve(urlOption, homeOption, Environment.GetEnvironmentVariable);

    private static string? ReadTokenFile(string file)
    {
        try
        {
            return File.Exists(file) ? NonEmpty(File.ReadAllText(file).Trim()) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
