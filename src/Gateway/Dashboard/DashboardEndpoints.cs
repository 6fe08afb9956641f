using Microsoft.Extensions.FileProviders;

namespace DosAi.Orleans.Gateway.Dashboard;

/// <summary>
/// The dashboard at <c>/</c>: HTML pages gated by the session cookie and static assets under
/// <c>/assets</c>, all embedded in this assembly so every host (dotnet run, tests, publish) serves the same files.
/// </summary>
public static class DashboardEndpoints
{
    private const string Root = "Dashboard/web";

    private static readonly IFileProvider Pages = new ManifestEmbeddedFileProvider(typeof(DashboardEndpoints).Assembly, Root + "/pages");
    private static readonly IFileProvider Assets = new ManifestEmbeddedFileProvider(typeof(DashboardEndpoints).Assembly, Root + "/assets");

    public static IApplicationBuilder UseDashboardAssets(this IApplicationBuilder app) =>
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Assets,
            RequestPath = "/assets",
            OnPrepareResponse = context =>
            {
                DashboardSecurityHeaders.Apply(context.Context.Response);
                // Revalidate by ETag so a gateway upgrade is picked up at once.
                context.Context.Response.Headers.CacheControl = "no-cache";
            },
        });

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapGet("/", (HttpContext context) => Redirect(context, IsSignedIn(context) ? "/keys" : "/login"));
        MapPage(app, "/login", "login.html", signedIn: false);
        MapPage(app, "/signup", "signup.html", signedIn: false);
        MapPage(app, "/keys", "keys.html", signedIn: true);
        MapPage(app, "/usage", "usage.html", signedIn: true);
        return app;
    }

    /// <summary>Signed-in pages redirect to the login page without a session, and the login pages to the keys page with one.</summary>
    private static void MapPage(WebApplication app, string path, string file, bool signedIn) =>
        app.MapGet(path, (HttpContext context) =>
        {
            if (IsSignedIn(context) != signedIn)
            {
                return Redirect(context, signedIn ? "/login" : "/keys");
            }

            DashboardSecurityHeaders.Apply(context.Response);
            context.Response.Headers.CacheControl = "no-store";
            return Results.Stream(Pages.GetFileInfo(file).CreateReadStream(), "text/html; charset=utf-8");
        });

    private static IResult Redirect(HttpContext context, string path)
    {
        DashboardSecurityHeaders.Apply(context.Response);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Redirect(path);
    }

    private static bool IsSignedIn(HttpContext context) => context.User.Identity?.IsAuthenticated == true;
}
