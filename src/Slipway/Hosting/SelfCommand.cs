namespace Slipway.Hosting;

/// <summary>How to run this very binary again as a child (the control plane under <c>slipway up</c>).</summary>
internal static class SelfCommand
{
    /// <summary>A shell command line that starts this executable with <paramref name="arguments"/>.</summary>
    public static string ShellLine(params string[] arguments) => string.Join(' ', Program().Concat(arguments).Select(Quote));

    /// <summary>The program and leading arguments that run this executable: <c>[slipway]</c> or <c>[dotnet, slipway.dll]</c>.</summary>
    public static IReadOnlyList<string> Program()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable is running.");
        // Run as `dotnet slipway.dll`: the child needs the dll too.
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, typeof(SelfCommand).Assembly.Location] : [process];
    }

    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
