using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using SharingPlatform.Server.Identity;

namespace SharingPlatform.Server.Audit;

/// <summary>
/// Where an unauthenticated request came from, as the rate limiter and the audit log use it. A partner's address can
/// place a field office or a person, so the log never holds it: it holds a keyed pseudonym (HMAC-SHA256 under a key
/// derived from the server secret, 128 bits). An unkeyed hash would not do: every IPv4 address can be hashed in
/// minutes. The pseudonym is stable, so an auditor still sees that refusals came from one source.
/// </summary>
public sealed class SourceAddresses(ServerKeys keys)
{
    private readonly byte[] _key = keys.Derive("audit-source-address");

    /// <summary>
    /// The source a request is limited and counted as: its IPv4 address, or the /64 network of an IPv6 address (one
    /// host can use every address of its /64, so a per-address limit would not hold it).
    /// </summary>
    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>The pseudonym of <paramref name="address"/>'s source, as written in the audit log: <c>ip:</c> and 22 characters.</summary>
    public string Pseudonym(IPAddress? address) =>
        "ip:" + Base64Url.EncodeToString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(Of(address))).AsSpan(0, 16));
}
