using DosAi.Orleans.Gateway.Proxy;
using Yarp.ReverseProxy.Forwarder;

// The .NET floor: YARP's forwarder with the gateway's own UpstreamClient (so the SocketsHttpHandler
// settings are the same by construction) and the same /v1 route, minus admission and metering.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddHttpForwarder();
builder.Services.Configure<UpstreamOptions>(builder.Configuration.GetSection(UpstreamOptions.Section));
builder.Services.AddSingleton<UpstreamClient>();
var app = builder.Build();

app.Map("/v1/{**path}", async (HttpContext context, IHttpForwarder forwarder, UpstreamClient upstream) =>
{
    await forwarder.SendAsync(context, upstream.Prefix, upstream.Invoker, upstream.RequestConfig, HttpTransformer.Default);
});
app.Run();
