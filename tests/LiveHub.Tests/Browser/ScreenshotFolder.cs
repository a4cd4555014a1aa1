namespace LiveHub.Tests.Browser;

/// <summary>
/// Where screenshot tests save their pictures: <c>docs/screenshots/{subfolder}</c> when <c>LIVEHUB_SCREENSHOTS=docs</c>
/// (to refresh the committed ones: <c>LIVEHUB_SCREENSHOTS=docs bash scripts/test.sh --filter "FullyQualifiedName~Screenshot"</c>),
/// otherwise a temporary folder, so that an ordinary test run leaves the working tree as it was.
/// </summary>
public static class ScreenshotFolder
{
    public static string For(string subfolder)
    {
        var folder = Environment.GetEnvironmentVariable("LIVEHUB_SCREENSHOTS") == "docs"
            ? Path.Combine(RepositoryRoot(), "docs", "screenshots", subfolder)
            : Path.Combine(Path.GetTempPath(), "livehub-screenshots", subfolder);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LiveHub.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No LiveHub.sln above {AppContext.BaseDirectory}.");
    }
}
