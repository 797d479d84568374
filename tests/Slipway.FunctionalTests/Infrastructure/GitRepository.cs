using System.Diagnostics;

namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>
/// A real bare repository (<c>ROOT/acme/NAME.git</c>, what a forge hosts) and a work clone to commit in with
/// the real git CLI. Each commit writes <c>content.txt</c>, which the sample app serves at <c>/</c>.
/// </summary>
internal sealed class GitRepository : IDisposable
{
    private readonly string _root;
    private readonly string _work;

    private GitRepository(string root, string name)
    {
        _root = root;
        Name = name;
        BarePath = Path.Combine(root, "acme", name + ".git");
        _work = Path.Combine(root, "work");
    }

    public string Name { get; }

    /// <summary>As the forge names it in payloads: <c>acme/NAME</c>.</summary>
    public string FullName => "acme/" + Name;

    public string BarePath { get; }

    public static async Task<GitRepository> CreateAsync(string name)
    {
        var repository = new GitRepository(Directory.CreateTempSubdirectory("slipway-git-").FullName, name);
        Directory.CreateDirectory(repository.BarePath);
        await RunAsync(repository.BarePath, "init", "--bare", "--quiet", "--initial-branch=main");
        await RunAsync(repository._root, "clone", "--quiet", repository.BarePath, repository._work);
        await RunAsync(repository._work, "checkout", "--quiet", "-B", "main");
        return repository;
    }

    /// <summary>Commits <c>content.txt</c> = <paramref name="content"/> on <paramref name="branch"/> and returns the commit's sha.</summary>
    public async Task<string> CommitAsync(string content, string branch = "main")
    {
        await RunAsync(_work, "checkout", "--quiet", "-B", branch);
        await File.WriteAllTextAsync(Path.Combine(_work, "content.txt"), content + "\n");
        await RunAsync(_work, "add", "content.txt");
        await RunAsync(_work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "--allow-empty", "-m", content);
        return (await RunAsync(_work, "rev-parse", "HEAD")).Trim();
    }

    /// <summary>
    /// Commits <paramref name="links"/> (path in the tree, link target) as symlinks next to <c>content.txt</c> on
    /// main and returns the commit's sha: what a hostile pusher can put in a repository.
    /// </summary>
    public async Task<string> CommitLinksAsync(string message, params (string Path, string Target)[] links)
    {
        await RunAsync(_work, "checkout", "--quiet", "-B", "main");
        await File.WriteAllTextAsync(Path.Combine(_work, "content.txt"), message + "\n");
        foreach (var (path, target) in links)
        {
            var full = Path.Combine(_work, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.CreateSymbolicLink(full, target);
        }

        await RunAsync(_work, ["add", "-A", "."]);
        await RunAsync(_work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", message);
        return (await RunAsync(_work, "rev-parse", "HEAD")).Trim();
    }

    /// <summary>Pushes <paramref name="branch"/> (and tags) to the bare repository, as a developer's push to the forge.</summary>
    public async Task PushAsync(string branch = "main") =>
        await RunAsync(_work, "push", "--quiet", "--tags", "origin", branch);

    public async Task TagAsync(string tag) => await RunAsync(_work, "tag", tag);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<string> RunAsync(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}
