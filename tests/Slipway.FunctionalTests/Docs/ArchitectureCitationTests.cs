using System.Text.RegularExpressions;
using Slipway.FunctionalTests.Infrastructure;

namespace Slipway.FunctionalTests.Docs;

/// <summary>
/// Comments in the code cite <c>docs/architecture.md §N</c> to say which rule a piece of code serves. A citation of
/// a section that does not exist (or of the design file the repository does not have) sends a newcomer nowhere.
/// </summary>
public sealed partial class ArchitectureCitationTests
{
    [Fact]
    public void Citations_InSourceAndTests_EachNameAHeadingOfArchitectureMd()
    {
        var headings = File.ReadLines(Path.Combine(RepoPaths.Root, "docs", "architecture.md"))
            .Select(line => Heading().Match(line))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);

        var problems = new List<string>();
        var citations = 0;
        foreach (var file in SourceFiles())
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var where = $"{Path.GetRelativePath(RepoPaths.Root, file)}:{i + 1}";
                if (lines[i].Contains("DESIGN §", StringComparison.Ordinal) || lines[i].Contains("DESIGN.md", StringComparison.Ordinal))
                {
                    problems.Add($"{where} cites DESIGN, which is not in the repository: cite docs/architecture.md §N");
                }

                foreach (Match citation in Citation().Matches(lines[i]))
                {
                    foreach (Match section in SectionNumber().Matches(citation.Value))
                    {
                        citations++;
                        if (!headings.Contains(section.Groups[1].Value))
                        {
                            problems.Add($"{where} cites §{section.Groups[1].Value}, which is no heading of docs/architecture.md");
                        }
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(citations > 0, "no citation of docs/architecture.md found under src/: is the scan looking in the right place?");
    }

    private static IEnumerable<string> SourceFiles() =>
        new[] { "src", "tests" }
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, dir), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            // This file names the patterns it looks for.
            .Where(f => !f.EndsWith(nameof(ArchitectureCitationTests) + ".cs", StringComparison.Ordinal));

    /// <summary><c>## 3. The deploy lifecycle</c> is section 3; <c>### 9.8 Promoted digest ...</c> is section 9.8.</summary>
    [GeneratedRegex(@"^#{2,3} (\d+(?:\.\d+)?)\.? ")]
    private static partial Regex Heading();

    /// <summary><c>docs/architecture.md §2</c>, and the sections listed after it: <c>docs/architecture.md §2, §9.5</c>.</summary>
    [GeneratedRegex(@"docs/architecture\.md §\d+(?:\.\d+)?(?:, §\d+(?:\.\d+)?)*")]
    private static partial Regex Citation();

    [GeneratedRegex(@"§(\d+(?:\.\d+)?)")]
    private static partial Regex SectionNumber();
}
