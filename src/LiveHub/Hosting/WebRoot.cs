using Microsoft.Extensions.FileProviders;

namespace LiveHub;

public static class WebRoot
{
    /// <summary>Serves the repository's top-level wwwroot (or the published copy of it).</summary>
    public static WebApplicationBuilder UseLiveHubWebRoot(this WebApplicationBuilder builder)
    {
        var path = ContentFolders.Find(builder.Environment, builder.Configuration["WebRoot"], "wwwroot", "css/site.css")
            ?? throw new InvalidOperationException("The wwwroot folder was not found; set WebRoot to its path.");
        builder.Environment.WebRootPath = path;
        builder.Environment.WebRootFileProvider = new PhysicalFileProvider(path);
        return builder;
    }
}
