namespace Slipway.Install;

/// <summary>
/// One thing <c>slipway install</c> or <c>uninstall</c> makes true. <see cref="IsDone"/> is asked first, so a second
/// run changes nothing, and <c>--dry-run</c> prints the same steps without applying them.
/// </summary>
/// <param name="Apply">Makes it so; returns a line to show once (the admin token), or null.</param>
internal sealed record InstallStep(string Description, Func<Task<bool>> IsDone, Func<Task<string?>> Apply);
