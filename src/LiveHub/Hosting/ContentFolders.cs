namespace LiveHub;

/// <summary>
/// Finds the top-level folders (wwwroot, seeds) that live beside src/ in the repository and are
/// copied next to the app when it is published.
/// </summary>
public static class ContentFolders
{
    /// <param name="configured">An explicit path from configuration; wins if set.</param>
    /// <param name="name">Folder name, such as "wwwroot".</param>
    /// <param name="marker">A file that must exist in the folder, so an unrelated folder of the same name is not picked.</param>
    public static string? Find(IHostEnvironment environment, string? configured, string name, string? marker = null)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(Path.Combine(environment.ContentRootPath, configured));
        }

        // Repository layout (dotnet run, tests): <repo>/src/LiveHub is the content root.
        // Published layout (Docker): the folder sits in the content root itself.
        string[] candidates =
        [
            Path.Combine(environment.ContentRootPath, "..", "..", name),
            Path.Combine(environment.ContentRootPath, name),
            Path.Combine(AppContext.BaseDirectory, name),
        ];
        return candidates.Select(Path.GetFullPath)
            .FirstOrDefault(c => Directory.Exists(c) && (marker is null || File.Exists(Path.Combine(c, marker))));
    }
}
