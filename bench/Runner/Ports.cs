using System.Net;
using System.Net.Sockets;

namespace DosAi.Orleans.Bench.Runner;

public static class Ports
{
    /// <summary>A loopback port that was free a moment ago (the OS picks it; a socket can still take it before the caller listens).</summary>
    public static int FreeLoopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
