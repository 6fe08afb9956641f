using DosAi.Orleans.Grains.Hosting;
using Microsoft.Extensions.Hosting;

// A dedicated silo with the same grain and storage configuration as the gateway's co-hosted one.
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.AddDosAi(builder.Configuration));
builder.Build().Run();
