namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>
/// A file outside every release that a test app's <c>migrate</c> appends one line to per run, so a test counts how
/// many times the command really ran (and in which release and environment).
/// </summary>
internal sealed class MigrationLedgerFile : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("slipway-migrate-").FullName;

    public string Path => System.IO.Path.Combine(_dir, "migrations.log");

    /// <summary>The <c>migrate</c> command: prints a line (for the deploy log) and appends one to <see cref="Path"/>.</summary>
    public string Command => $"echo \"migrating $SLIPWAY_RELEASE in $SLIPWAY_ENV\"; echo \"$SLIPWAY_RELEASE $SLIPWAY_ENV\" >> '{Path}'";

    public IReadOnlyList<string> Lines() => File.Exists(Path) ? File.ReadAllLines(Path) : [];

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
