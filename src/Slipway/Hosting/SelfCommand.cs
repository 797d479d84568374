namespace Slipway.Hosting;

/// <summary>How to run this very binary again as a child (the control plane under <c>slipway up</c>).</summary>
internal static class SelfCommand
{
    /// <summary>A shell command line that starts this executable with <paramref name="arguments"/>.</summary>
    public static string ShellLine(params string[] arguments) => string.Join(' ', Arguments(arguments).Select(Quote));

    /// <summary>The program and arguments that start this executable with <paramref name="arguments"/>.</summary>
    public static IReadOnlyList<string> Arguments(params string[] arguments)
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable is running.");
        var parts = new List<string>();
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            // Run as `dotnet slipway.dll`: the child needs the dll too.
            parts.Add(process);
            parts.Add(Path.Combine(AppContext.BaseDirectory, "slipway.dll"));
        }
        else
        {
            parts.Add(process);
        }

        parts.AddRange(arguments);
        return parts;
    }

    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
