using System.Net;
using System.Net.Sockets;

namespace Routines.Silo.Hosting;

/// <summary>A free loopback TCP port, for silos that do not need a fixed one.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
