using System.Net;
using System.Net.Sockets;

namespace DosAi.Orleans.Gateway.Tests.Infrastructure;

public static class Tcp
{
    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
