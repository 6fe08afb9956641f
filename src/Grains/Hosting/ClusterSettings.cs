using System.Net;
using Microsoft.Extensions.Configuration;

namespace DosAi.Orleans.Grains.Hosting;

/// <summary>How a gateway takes part in the cluster (<c>Cluster:Mode</c>).</summary>
public enum NodeMode
{
    /// <summary>One process, co-hosted silo, SQLite (no connection string).</summary>
    Embedded,

    /// <summary>The gateway hosts a silo of the PostgreSQL cluster in its own process.</summary>
    Cohosted,

    /// <summary>The gateway is an Orleans client of dedicated silos, found through the PostgreSQL gateway list.</summary>
    Client,
}

/// <summary>
/// Configuration section <c>Cluster</c>. A <see cref="ConnectionString"/> switches from embedded mode to
/// the PostgreSQL cluster; gateways then default to <see cref="NodeMode.Client"/>.
/// </summary>
public sealed record ClusterSettings(
    string? ConnectionString,
    NodeMode Mode,
    string ClusterId,
    int SiloPort,
    int GatewayPort,
    IPAddress? AdvertisedAddress)
{
    public const string Section = "Cluster";

    public bool IsCluster => ConnectionString is not null;

    public static ClusterSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var connectionString = section["ConnectionString"];
        var hasDatabase = !string.IsNullOrWhiteSpace(connectionString);
        var mode = section["Mode"] is { Length: > 0 } text
            ? Enum.Parse<NodeMode>(text, ignoreCase: true)
            : hasDatabase ? NodeMode.Client : NodeMode.Embedded;
        if ((mode != NodeMode.Embedded) != hasDatabase)
        {
            throw new InvalidOperationException(hasDatabase
                ? "Cluster:Mode 'Embedded' keeps its state in SQLite: remove Cluster:ConnectionString or choose Cohosted or Client."
                : $"Cluster:Mode '{mode}' needs Cluster:ConnectionString (PostgreSQL).");
        }

        return new ClusterSettings(
            hasDatabase ? connectionString : null,
            mode,
            section["ClusterId"] is { Length: > 0 } clusterId ? clusterId : SiloConfiguration.ServiceId,
            section.GetValue("SiloPort", 11111),
            section.GetValue("GatewayPort", 30000),
            section["AdvertisedAddress"] is { Length: > 0 } address ? IPAddress.Parse(address) : null);
    }
}
