using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DosAi.Orleans.Dashboard.Tests.Infrastructure;

/// <summary>Page screenshots kept as test artifacts under TestResults/screenshots at the repository root.</summary>
public static class Screenshots
{
    public static string Directory { get; } = Locate();

    public static async Task<string> Save(IPage page, string name, ITestOutputHelper output)
    {
        var path = Path.Combine(Directory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        return path;
    }

    private static string Locate()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "DosAi.Orleans.sln")))
        {
            folder = folder.Parent;
        }

        var path = Path.Combine(folder?.FullName ?? AppContext.BaseDirectory, "TestResults", "screenshots");
        System.IO.Directory.CreateDirectory(path);
        return path;
    }
}
