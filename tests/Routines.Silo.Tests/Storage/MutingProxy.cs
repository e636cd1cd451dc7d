using System.Net;
using System.Net.Sockets;

namespace Routines.Silo.Tests.Storage;

/// <summary>
/// A TCP relay in front of a server that can stop passing the server's replies on the connections open at that moment:
/// what a client sees when the network fails after its request reached the server.
/// </summary>
internal sealed class MutingProxy : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly int _targetPort;
    readonly CancellationTokenSource _stop = new();
    readonly List<Relay> _relays = [];
    readonly Task _accepting;

    public MutingProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>From now on the connections open now get nothing more from the server; later connections work.</summary>
    public void MuteOpenConnections()
    {
        lock (_relays) foreach (var relay in _relays) relay.Muted = true;
    }

    async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }

            var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, _targetPort);
            var relay = new Relay(client, server);
            lock (_relays) _relays.Add(relay);
            _ = relay.RunAsync(_stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_relays) foreach (var relay in _relays) relay.Dispose();
        _stop.Dispose();
    }

    sealed class Relay(TcpClient client, TcpClient server) : IDisposable
    {
        public volatile bool Muted;

        public async Task RunAsync(CancellationToken stop)
        {
            try
            {
                await Task.WhenAny(PumpAsync(client.GetStream(), server.GetStream(), () => false, stop),
                                   PumpAsync(server.GetStream(), client.GetStream(), () => Muted, stop));
            }
            finally
            {
                Dispose();
            }
        }

        static async Task PumpAsync(NetworkStream from, NetworkStream to, Func<bool> drop, CancellationToken stop)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await from.ReadAsync(buffer, stop)) > 0)
                {
                    if (!drop()) await to.WriteAsync(buffer.AsMemory(0, read), stop);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        }

        public void Dispose()
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
