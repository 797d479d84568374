namespace Slipway.ControlPlane.Store;

/// <summary>The text each enum value has in the database and in events (lowercase, snake_case).</summary>
internal static class StoreNames
{
    public static string ToText(GenerationState state) => state.ToString().ToLowerInvariant();

    public static string ToText(DeploymentKind kind) => kind.ToString().ToLowerInvariant();

    public static string ToText(DeploymentStatus status) =>
        status == DeploymentStatus.RolledBack ? "rolled_back" : status.ToString().ToLowerInvariant();

    public static GenerationState ParseGenerationState(string text) => Enum.Parse<GenerationState>(text, ignoreCase: true);

    public static DeploymentKind ParseKind(string text) => Enum.Parse<DeploymentKind>(text, ignoreCase: true);

    public static DeploymentStatus ParseStatus(string text) =>
        text == "rolled_back" ? DeploymentStatus.RolledBack : Enum.Parse<DeploymentStatus>(text, ignoreCase: true);
}
