using DosAi.Orleans.Gateway.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddDosAiGateway();
var app = builder.Build();
app.MapDosAiGateway();
app.Run();

/// <summary>Entry point, visible to tests that host the gateway.</summary>
public partial class Program;
