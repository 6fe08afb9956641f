using DosAi.Orleans.Grains.Hosting;
using Microsoft.Extensions.Hosting;

// A dedicated silo with the same grain and storage configuration as the gateway's co-hosted one. With
// Cluster:ConnectionString set it joins the PostgreSQL cluster; client gateways find it there.
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.AddDosAi(builder.Configuration));
builder.Build().Run();
