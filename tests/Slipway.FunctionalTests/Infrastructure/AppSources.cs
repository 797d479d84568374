namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>
/// Source directories to deploy with <c>from</c>: each version is a folder with the spec and a
/// <c>content.txt</c> the sample app serves at <c>/</c>, so different content makes a different release.
/// </summary>
internal sealed class AppSources : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("slipway-src-").FullName;
    private int _count;

    /// <summary>Writes a new version folder and returns its absolute path.</summary>
    public string Version(TestAppSpec spec, string content, IReadOnlyDictionary<string, string>? extraFiles = null)
    {
        var dir = Path.Combine(_root, $"{spec.App}-{Interlocked.Increment(ref _count)}");
        Directory.CreateDirectory(dir);
        System.IO.File.WriteAllText(Path.Combine(dir, "slipway.yml"), spec.ToYaml());
        System.IO.File.WriteAllText(Path.Combine(dir, "content.txt"), content + "\n");
        foreach (var (name, text) in extraFiles ?? new Dictionary<string, string>())
        {
            System.IO.File.WriteAllText(Path.Combine(dir, name), text);
        }

        return dir;
    }

    /// <summary>Writes a file (e.g. a broken spec) and returns its path.</summary>
    public string WriteFile(string name, string text)
    {
        var dir = Path.Combine(_root, $"file-{Interlocked.Increment(ref _count)}");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
