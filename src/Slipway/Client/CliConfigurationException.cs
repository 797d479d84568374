namespace Slipway.Client;

/// <summary>A local setting is wrong (a bad URL, an unreadable file); the CLI exits 2 with the message.</summary>
internal sealed class CliConfigurationException(string message) : Exception(message);
