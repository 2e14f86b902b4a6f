namespace SharingPlatform.Tests.Infrastructure;

/// <summary>The checkout the tests were built from, for tests that read or check committed files.</summary>
public static class Repository
{
    /// <summary>The directory holding SharingPlatform.sln, found upwards from the test output directory.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SharingPlatform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SharingPlatform.sln not found above the test output directory.");
    }
}
