using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Threading.RateLimiting;
using DosAi.Orleans.Gateway.Admission;
using DosAi.Orleans.Gateway.Api;
using DosAi.Orleans.Gateway.Dashboard;
using DosAi.Orleans.Gateway.Metering;
using DosAi.Orleans.Gateway.Proxy;
using DosAi.Orleans.Grains.ApiKeys;
using DosAi.Orleans.Grains.Hosting;
using DosAi.Orleans.Grains.Interfaces;
using DosAi.Orleans.Grains.Interfaces.ApiKeys;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace DosAi.Orleans.Gateway.Hosting;

public static class GatewayHosting
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>
    /// Everything the gateway needs. Embedded and co-hosted modes run a silo in this process; client mode
    /// reaches dedicated silos through the PostgreSQL gateway list.
    /// </summary>
    public static WebApplicationBuilder AddDosAiGateway(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // ASP.NET Core starts an Activity for every request while this category logs at any level, and the
        // upstream HttpClient then starts a child and injects trace headers: per-request work nobody reads
        // unless tracing is configured (which brings its own listeners).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        var cluster = ClusterSettings.From(configuration);
        var services = builder.Services;
        if (cluster.Mode == NodeMode.Client)
        {
            builder.UseOrleansClient(client => client.UseDosAiCluster(cluster));
            var store = PostgresStore.Open(cluster.ConnectionString!);
            services.AddSingleton(store);
            services.AddSingleton<IStorageHealth>(store);
        }
        else
        {
            builder.UseOrleans(silo => silo.AddDosAi(configuration));
        }

        services.AddGatewayOptions(configuration, hostsSilo: cluster.Mode != NodeMode.Client);
        services.AddHttpForwarder();
        services.AddSingleton<UpstreamClient>();
        services.AddSingleton<UpstreamTransformer>();
        services.AddSingleton<AllowedUpstreamPaths>();
        services.AddSingleton<TokenCounter>();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<InferenceProxy>();
        services.AddSingleton<GrainReferenceFactory<IApiKeyGrain>>();
        // The silo's own when one is co-hosted (registered first, above); an empty one for a cluster client.
        services.TryAddSingleton<CoHostedApiKeys>();
        services.AddSingleton<AccountService>();

        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails();

        var dataProtection = services.AddDataProtection().SetApplicationName("dosai");
        if (cluster.IsCluster)
        {
            services.AddOptions<KeyManagementOptions>().Configure<PostgresStore>((options, store) =>
                options.XmlRepository = new PostgresXmlRepository(store.DataSource));
        }
        else
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(Path.GetFullPath(configuration["Embedded:DataDirectory"] ?? "./data"), "keys")));
        }

        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
        {
            options.Cookie.Name = "dosai_session";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = TimeSpan.FromDays(7);
            options.SlidingExpiration = true;
            options.Events.OnValidatePrincipal = DashboardSessions.Validate;
            options.Events.OnRedirectToLogin = context => WriteError(context.HttpContext, StatusCodes.Status401Unauthorized, "Log in first.", "unauthorized");
            options.Events.OnRedirectToAccessDenied = context => WriteError(context.HttpContext, StatusCodes.Status403Forbidden, "Not allowed.", "forbidden");
        });
        services.AddAuthorization();
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(AccountApi.LoginRateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 20, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            // Each sign-up costs a slow password hash and durable writes: unthrottled, anyone could spend the node's CPU and
            // fill its storage. The machine itself (an operator's scripts, local tests) is not held to it.
            options.AddPolicy(AccountApi.SignupRateLimitPolicy, context => context.Connection.RemoteIpAddress is { } address && !IPAddress.IsLoopback(address)
                ? RateLimitPartition.GetFixedWindowLimiter(address.ToString(), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = context.RequestServices.GetRequiredService<IOptions<SignupOptions>>().Value.SignupsPerHourPerAddress,
                    Window = TimeSpan.FromHours(1),
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter("this machine"));
            options.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                var signingUp = context.HttpContext.Request.Path.StartsWithSegments("/api/auth/signup", StringComparison.OrdinalIgnoreCase);
                return new ValueTask(signingUp
                    ? WriteError(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many sign-ups from this address. Try again later.", "too_many_signups")
                    : WriteError(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many login attempts from this address. Try again in a minute.", "too_many_login_attempts"));
            };
        });

        // Collecting costs work on every request and every grain message, so metrics
        // are collected only when an OTLP endpoint (standard OpenTelemetry environment variables) receives them.
        if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) || !string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]))
        {
            services.AddOpenTelemetry()
                .WithMetrics(metrics => metrics.AddMeter(GatewayMetrics.MeterName, "Microsoft.Orleans").AddAspNetCoreInstrumentation())
                .UseOtlpExporter();
        }

        return builder;
    }

    public static WebApplication MapDosAiGateway(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = WriteUnhandledError,
            // A client's malformed request gets its 400 and is no error of the gateway's to log.
            SuppressDiagnosticsCallback = handled => handled.Exception is BadHttpRequestException,
        });
        app.UseAdminToken();
        // Inference traffic carries its own key: cookie sessions, login throttling and dashboard assets are
        // not its business. WebApplication would otherwise add authentication and authorization in front of
        // every request, since it cannot see that they are added in this branch.
        var pipeline = (IApplicationBuilder)app;
        pipeline.Properties["__AuthenticationMiddlewareSet"] = true;
        pipeline.Properties["__AuthorizationMiddlewareSet"] = true;
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/v1"), web =>
        {
            web.UseStatusCodePages(new StatusCodePagesOptions { HandleAsync = WriteEmptyApiError });
            web.UseAuthentication();
            web.UseRateLimiter();
            web.UseAuthorization();
            web.UseDashboardAssets();
        });
        app.MapHealth();
        app.MapAccountApi();
        app.MapAdminApi();
        // A plain request delegate on the singleton: no per-request service scope or parameter binding.
        app.Map("/v1/{**path}", app.Services.GetRequiredService<InferenceProxy>().HandleAsync);
        app.MapDashboard();
        return app;
    }

    private static Task WriteUnhandledError(HttpContext context)
    {
        var failure = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        return failure switch
        {
            BadHttpRequestException { InnerException: JsonException json } bad =>
                WriteError(context, bad.StatusCode, $"The request body is not valid JSON for this endpoint{(json.Path is { } path ? $" (at {path})" : "")}.", "invalid_request"),
            // ASP.NET says which in its message only: a missing body, or a parameter it could not bind.
            BadHttpRequestException bad when bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase) =>
                WriteError(context, bad.StatusCode, "This endpoint needs a JSON body.", "invalid_request"),
            BadHttpRequestException bad =>
                WriteError(context, bad.StatusCode, "A query or route parameter is missing or not a valid value of its type (e.g. a number out of range).", "invalid_request"),
            _ => OpenAiError.WriteAsync(context, StatusCodes.Status500InternalServerError, "The gateway failed to handle this request.", "server_error", "internal_error"),
        };
    }

    /// <summary>Routing and body binding refuse some requests with a bare status; the APIs answer in the contract's shape.</summary>
    private static Task WriteEmptyApiError(StatusCodeContext status)
    {
        var context = status.HttpContext;
        if (!context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/admin"))
        {
            return Task.CompletedTask;
        }

        return context.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => WriteError(context, StatusCodes.Status404NotFound, "No such endpoint.", "not_found"),
            StatusCodes.Status405MethodNotAllowed => WriteError(context, StatusCodes.Status405MethodNotAllowed,
                $"This endpoint does not accept {context.Request.Method} requests.", "method_not_allowed"),
            StatusCodes.Status415UnsupportedMediaType => WriteError(context, StatusCodes.Status415UnsupportedMediaType,
                "The request body must be JSON, sent with Content-Type: application/json.", "invalid_request"),
            _ => Task.CompletedTask,
        };
    }

    private static Task WriteError(HttpContext context, int status, string message, string code) =>
        OpenAiError.WriteAsync(context, status, message, "invalid_request_error", code);
}
