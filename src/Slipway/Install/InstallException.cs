namespace Slipway.Install;

/// <summary>An install or uninstall step that cannot be done; the message says what to do.</summary>
internal sealed class InstallException(string message) : Exception(message);
