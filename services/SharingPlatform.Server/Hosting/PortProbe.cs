using System.Net;
using System.Net.Sockets;

namespace SharingPlatform.Server.Hosting;

/// <summary>
/// Tries every listener's address and port before start-up writes anything: a port taken by another process (or an
/// address not on this machine, or a privileged port) is a refusal with exit code 4 that names the setting, instead of
/// a stack trace after the database was migrated and keys written. Kestrel binds for real later; a port taken in
/// between still fails the start, with the same code (Program.cs).
/// </summary>
public static class PortProbe
{
    public static void ThrowIfUnavailable(EndpointOptions endpoints)
    {
        // EndpointRules has passed them by now (when the application was built): every URL here is well formed.
        foreach (var (name, url) in EndpointRules.Listeners(endpoints))
        {
            var uri = new Uri(url);
            foreach (var address in EndpointRules.Addresses(uri))
            {
                if (Problem(address, uri.Port) is { } problem)
                {
                    throw Unavailable($"Endpoints:{name} ({uri.Host}:{uri.Port}): {problem}");
                }
            }
        }
    }

    /// <summary>The refusal for a listener that cannot be opened.</summary>
    public static StartRefusedException Unavailable(string what) =>
        new($"{what}. Nothing was written. Stop what holds the port or choose another one, then start again.", StartExitCodes.PortUnavailable);

    private static string? Problem(IPAddress address, int port)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (address.Equals(IPAddress.IPv6Any))
        {
            socket.DualMode = true; // as Kestrel listens on [::]
        }

        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen();
            return null;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the port is in use by another process",
                SocketError.AddressNotAvailable => "the address is not one of this machine's",
                SocketError.AccessDenied => "this user may not listen on that port (below 1024 needs a privilege; use a higher port behind the load balancer)",
                _ => $"cannot listen there ({e.SocketErrorCode})",
            };
        }
    }
}
