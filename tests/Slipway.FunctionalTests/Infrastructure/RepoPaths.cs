namespace Slipway.FunctionalTests.Infrastructure;

/// <summary>Where the binaries under test live: the real <c>slipway.dll</c> and the sample app.</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding <c>Slipway.slnx</c>, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The slipway binary, copied next to the tests by the project reference.</summary>
    public static string SlipwayDll { get; } = Path.Combine(AppContext.BaseDirectory, "slipway.dll");

    /// <summary>
    /// The sample app, built by the test project's reference into its own bin folder with the same
    /// configuration and target framework as the tests (bin/CONFIG/TFM).
    /// </summary>
    public static string TestAppDll { get; } = FindTestApp("Slipway.TestApp");

    /// <summary>The gRPC sample app (tests/Slipway.GrpcTestApp): HTTP/2 only, with the gRPC health service.</summary>
    public static string GrpcTestAppDll { get; } = FindTestApp("Slipway.GrpcTestApp");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Slipway.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Slipway.slnx above {AppContext.BaseDirectory}.");
    }

    private static string FindTestApp(string name)
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!.Name;
        var path = Path.Combine(Root, "tests", name, "bin", configuration, tfm.Name, name + ".dll");
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{path} is missing: build tests/Slipway.FunctionalTests (it builds the sample apps).");
    }
}
