using Slipway.ControlPlane.IO;
using Slipway.ControlPlane.Pipeline;
using Slipway.ControlPlane.Pipeline.Source;
using Slipway.ControlPlane.Processes;
using Slipway.ControlPlane.Store;
using Slipway.ControlPlane.Tests.IO;

namespace Slipway.ControlPlane.Tests.Pipeline.Source;

public sealed class LocalSourceTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();
    private readonly string _app;
    private readonly string _workspace;
    private readonly DeployLog _log;
    private readonly LocalSource _source = new(new ProcessGroupRunner());

    public LocalSourceTests()
    {
        _app = _dir.Combine("app");
        Directory.CreateDirectory(_app);
        _workspace = _dir.Combine("workspace");
        _log = new DeployLog(_dir.Combine("deploy.log"));
    }

    public void Dispose()
    {
        _log.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task CopyAsync_GitWorkTree_CopiesTrackedAndUntrackedButNotIgnoredFiles()
    {
        GitFixture.Init(_app);
        _dir.Write("app/.gitignore", "bin/\n*.secret\n");
        _dir.Write("app/src/main.sh", "echo hi\n");
        var head = GitFixture.CommitAll(_app);
        _dir.Write("app/new-file.txt", "untracked\n");
        _dir.Write("app/bin/output.dll", "built");
        _dir.Write("app/prod.secret", "password");

        var result = await _source.CopyAsync(_app, _workspace, _log, CancellationToken.None);

        Assert.Equal([".gitignore", "new-file.txt", "src/main.sh"], FilesIn(_workspace));
        Assert.Equal(head, result.Revision);
        Assert.True(result.Dirty);
        Assert.Equal("main", result.Ref);
        Assert.Equal(SourceKind.LocalGit, result.Kind);
    }

    [Fact]
    public async Task CopyAsync_CleanGitWorkTree_IsNotDirty()
    {
        GitFixture.Init(_app);
        _dir.Write("app/a.txt", "a");
        var head = GitFixture.CommitAll(_app);

        var result = await _source.CopyAsync(_app, _workspace, _log, CancellationToken.None);

        Assert.Equal(head, result.Revision);
        Assert.Equal(40, result.Revision.Length);
        Assert.False(result.Dirty);
    }

    [Fact]
    public async Task CopyAsync_ModifiedTrackedFile_IsDirtyAndCopiesTheWorkTreeVersion()
    {
        GitFixture.Init(_app);
        _dir.Write("app/a.txt", "committed");
        GitFixture.CommitAll(_app);
        _dir.Write("app/a.txt", "edited");

        var result = await _source.CopyAsync(_app, _workspace, _log, CancellationToken.None);

        Assert.True(result.Dirty);
        Assert.Equal("edited", File.ReadAllText(Path.Combine(_workspace, "a.txt")));
    }

    [Fact]
    public async Task CopyAsync_SubdirectoryOfARepository_CopiesOnlyThatDirectoryAndIgnoresChangesElsewhere()
    {
        GitFixture.Init(_app);
        _dir.Write("app/services/api/server.sh", "serve");
        _dir.Write("app/services/web/index.html", "<html>");
        var head = GitFixture.CommitAll(_app);
        _dir.Write("app/services/web/index.html", "<html> edited");

        var result = await _source.CopyAsync(
            Path.Combine(_app, "services", "api"), _workspace, _log, CancellationToken.None);

        Assert.Equal(["server.sh"], FilesIn(_workspace));
        Assert.Equal(head, result.Revision);
        Assert.False(result.Dirty);
    }

    [Fact]
    public async Task CopyAsync_GitRepositoryWithoutCommits_UsesAContentRevisionAndIsDirty()
    {
        GitFixture.Init(_app);
        _dir.Write("app/a.txt", "a");

        var result = await _source.CopyAsync(_app, _workspace, _log, CancellationToken.None);

        Assert.StartsWith("local-", result.Revision);
        Assert.True(result.Dirty);
        Assert.Equal(["a.txt"], FilesIn(_workspace));
    }

    [Fact]
    public async Task CopyAsync_PlainDirectory_CopiesEverythingExceptDotGitWithAContentRevision()
    {
        _dir.Write("app/a.txt", "a");
        _dir.Write("app/bin/out.dll", "built");
        _dir.Write("app/.git/HEAD", "not a real repository");
        Directory.CreateDirectory(_dir.Combine("app", "empty"));

        var result = await _source.CopyAsync(_app, _workspace, _log, CancellationToken.None);

        Assert.Equal(["a.txt", "bin/out.dll"], FilesIn(_workspace));
        Assert.True(Directory.Exists(Path.Combine(_workspace, "empty")));
        Assert.Matches("^local-[0-9a-f]{12}$", result.Revision);
        Assert.False(result.Dirty);
        Assert.Null(result.Ref);
        Assert.Equal(SourceKind.LocalDirectory, result.Kind);
    }

    [Fact]
    public async Task CopyAsync_PlainDirectory_RevisionFollowsContent()
    {
        _dir.Write("app/a.txt", "a");
        var first = await _source.CopyAsync(_app, _dir.Combine("w1"), _log, CancellationToken.None);
        var same = await _source.CopyAsync(_app, _dir.Combine("w2"), _log, CancellationToken.None);
        _dir.Write("app/a.txt", "b");
        var changed = await _source.CopyAsync(_app, _dir.Combine("w3"), _log, CancellationToken.None);

        Assert.Equal(first.Revision, same.Revision);
        Assert.NotEqual(first.Revision, changed.Revision);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CopyAsync_ExecutableFilesAndSymlinks_ArePreserved(bool git)
    {
        _dir.Write("app/run.sh", "#!/bin/sh\necho hi\n", (UnixFileMode)0b111_101_101);
        _dir.Write("app/config/base.json", "{}");
        File.CreateSymbolicLink(_dir.Combine("app", "config", "current.json"), "base.json");
        if (git)
        {
            GitFixture.Init(_app);
            GitFixture.CommitAll(_app);
        }

        await _source.CopyAsync(_app, _workspace, _log, CancellationToken.None);

        var mode = UnixPermissions.Get(Path.Combine(_workspace, "run.sh"));
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute));
        var plain = UnixPermissions.Get(Path.Combine(_workspace, "config", "base.json"));
        Assert.False(plain.HasFlag(UnixFileMode.UserExecute));
        var link = new FileInfo(Path.Combine(_workspace, "config", "current.json"));
        Assert.Equal("base.json", link.LinkTarget);
    }

    [Theory]
    [InlineData("../../outside.txt")]
    [InlineData("/etc/passwd")]
    public async Task CopyAsync_SymlinkLeavingTheTree_FailsNamingTheLink(string target)
    {
        _dir.Write("outside.txt", "not part of the app");
        _dir.Write("app/config/a.txt", "a");
        File.CreateSymbolicLink(_dir.Combine("app", "config", "escape"), target);

        var ex = await Assert.ThrowsAsync<DeployFailedException>(
            () => _source.CopyAsync(_app, _workspace, _log, CancellationToken.None));

        Assert.Equal(DeploymentPhase.Source, ex.Phase);
        Assert.Contains("symlink 'config/escape'", ex.Summary);
        Assert.Contains(target, ex.Summary);
    }

    [Fact]
    public async Task CopyAsync_MissingDirectory_FailsNamingIt()
    {
        var missing = _dir.Combine("no-such-app");

        var ex = await Assert.ThrowsAsync<DeployFailedException>(
            () => _source.CopyAsync(missing, _workspace, _log, CancellationToken.None));

        Assert.Equal(DeploymentPhase.Source, ex.Phase);
        Assert.Contains(missing, ex.Summary);
        Assert.Contains("does not exist", ex.Summary);
    }

    [Fact]
    public async Task CopyAsync_SlipwayHomeInsideTheSource_IsNotCopied()
    {
        _dir.Write("app/a.txt", "a");
        _dir.Write("app/.slipway/slipway.db", "state");
        var workspace = _dir.Combine("app", ".slipway", "releases", "app", ".work-1");

        await _source.CopyAsync(
            _app, workspace, _log, CancellationToken.None, excludedDirectories: [_dir.Combine("app", ".slipway")]);

        Assert.Equal(["a.txt"], FilesIn(workspace));
    }

    private static List<string> FilesIn(string root) =>
        [.. FileTree.Walk(root).Where(e => e.Kind != TreeEntryKind.Directory).Select(e => e.RelativePath)];
}
