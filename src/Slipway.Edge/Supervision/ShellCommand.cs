using System.Buffers;

namespace Slipway.Edge.Supervision;

/// <summary>
/// Decides whether a command line can be run as <c>exec COMMAND</c>, so that the supervised pid is the app's
/// own rather than that of a shell waiting for it (dash does not exec the last command by itself). Anything
/// beyond one plain command — operators, redirections, substitutions, assignments, shell builtins — runs as
/// written under the shell, which still leads the process group, so stopping works either way.
/// </summary>
internal static class ShellCommand
{
    private static readonly SearchValues<char> ShellSyntax = SearchValues.Create(";&|<>()`$\n\\*?");

    private static readonly HashSet<string> Builtins = new(StringComparer.Ordinal)
    {
        "cd", "if", "for", "while", "until", "case", "export", "set", "unset", "source", ".", "exec", "eval",
        "trap", "wait", "ulimit", "umask", "{", "!", "[", "[[", "test", "true", "false", ":", "read", "alias",
        "exit", "return", "break", "continue", "shift", "local", "readonly", "times", "type", "hash", "command", "getopts",
    };

    public static bool CanExec(string command)
    {
        var text = command.Trim();
        if (text.Length == 0 || text.AsSpan().IndexOfAny(ShellSyntax) >= 0)
        {
            return false;
        }

        var first = text.Split(' ', 2)[0];
        return !first.Contains('=', StringComparison.Ordinal) && !Builtins.Contains(first);
    }

    /// <summary>The script given to <c>/bin/sh -c</c>: output to the log file, then the command.</summary>
    public static string Script(string command) =>
        "exec </dev/null >>\"$1\" 2>&1\n" + (CanExec(command) ? "exec " + command.Trim() : command);
}
