using System.Formats.Tar;
using Slipway.ControlPlane.Runtime.Docker;
using Slipway.ControlPlane.Tests.IO;

namespace Slipway.ControlPlane.Tests.Runtime.Docker;

public sealed class TarContextContentTests
{
    [Fact]
    public async Task Serialize_LinkToADirectoryOutside_IsSentAsTheLinkNeverAsItsContent()
    {
        using var scratch = new ScratchDirectory();
        scratch.Write("home/admin.token", "secret-token-value");
        scratch.Write("context/Dockerfile", "FROM scratch\n");
        File.CreateSymbolicLink(scratch.Combine("context", "home"), scratch.Combine("home"));

        var entries = await EntriesAsync(scratch.Combine("context"));

        Assert.Equal(["Dockerfile", "home"], entries.Select(e => e.Name).Order(StringComparer.Ordinal));
        var link = entries.Single(e => e.Name == "home");
        Assert.Equal(TarEntryType.SymbolicLink, link.Type);
        Assert.Equal(scratch.Combine("home"), link.LinkName);
    }

    private static async Task<List<(string Name, TarEntryType Type, string LinkName)>> EntriesAsync(string directory)
    {
        using var content = new TarContextContent(directory);
        var bytes = await content.ReadAsByteArrayAsync();
        var result = new List<(string, TarEntryType, string)>();
        using var reader = new TarReader(new MemoryStream(bytes));
        while (reader.GetNextEntry() is { } entry)
        {
            result.Add((entry.Name.TrimEnd('/'), entry.EntryType, entry.LinkName));
        }

        return result;
    }
}
