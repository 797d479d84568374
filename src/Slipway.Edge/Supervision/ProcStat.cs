using System.Globalization;

namespace Slipway.Edge.Supervision;

/// <summary>The few fields of <c>/proc/PID/stat</c> the supervisor needs to identify and watch a process.</summary>
internal sealed record ProcStat(int Pid, char State, int ProcessGroup, int Session, long StartTicks)
{
    public bool IsZombie => State is 'Z' or 'X';

    /// <summary>Null when the process does not exist (or vanished while being read).</summary>
    public static ProcStat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        return Parse(pid, text);
    }

    internal static ProcStat? Parse(int pid, string text)
    {
        // The command name (field 2) is in parentheses and may itself contain spaces and parentheses,
        // so fields are counted from the last closing parenthesis.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state); field N is fields[N - 3].
        if (fields.Length < 20)
        {
            return null;
        }

        return new ProcStat(
            pid,
            fields[0][0],
            int.Parse(fields[2], CultureInfo.InvariantCulture),
            int.Parse(fields[3], CultureInfo.InvariantCulture),
            long.Parse(fields[19], CultureInfo.InvariantCulture));
    }
}
