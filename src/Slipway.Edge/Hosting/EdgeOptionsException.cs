namespace Slipway.Edge.Hosting;

/// <summary>An edge option is invalid; <see cref="Option"/> names it (e.g. <c>--http</c>).</summary>
public sealed class EdgeOptionsException(string option, string message) : Exception(message)
{
    public string Option { get; } = option;
}
