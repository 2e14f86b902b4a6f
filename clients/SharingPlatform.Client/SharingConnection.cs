using Grpc.Core;
using Grpc.Net.Client;
using SharingPlatform.Client.Auth;
using SharingPlatform.V1;

namespace SharingPlatform.Client;

/// <summary>
/// One authenticated connection to the platform: a gRPC channel whose calls carry a fresh access token.
/// </summary>
public sealed class SharingConnection : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly HttpClient _identityHttp;

    /// <param name="grpcAddress">The gRPC (HTTP/2) address, e.g. http://127.0.0.1:5081.</param>
    /// <param name="issuer">The identity server's issuer, e.g. http://127.0.0.1:5080/.</param>
    /// <param name="handler">Optional transport for both (tests use an in-process server's handler).</param>
    public SharingConnection(Uri grpcAddress, Uri issuer, string clientId, ClientKey key, HttpMessageHandler? handler = null)
    {
        RequireTlsOffLoopback(grpcAddress);
        RequireTlsOffLoopback(issuer);
        _identityHttp = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        Tokens = new TokenSource(_identityHttp, issuer, clientId, key);
        var credentials = CallCredentials.FromInterceptor(async (context, metadata) =>
            metadata.Add("Authorization", "Bearer " + await Tokens.GetTokenAsync(context.CancellationToken)));
        _channel = GrpcChannel.ForAddress(grpcAddress, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = handler is null,
            Credentials = ChannelCredentials.Create(grpcAddress.Scheme == Uri.UriSchemeHttps ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, credentials),
            // Cleartext is only ever loopback (the server refuses anything else without TLS).
            UnsafeUseInsecureChannelCallCredentials = grpcAddress.Scheme == Uri.UriSchemeHttp,
            MaxReceiveMessageSize = 16 * 1024 * 1024,
            MaxSendMessageSize = 16 * 1024 * 1024,
        });
        Cases = new CaseService.CaseServiceClient(_channel);
        Tenants = new TenantAdminService.TenantAdminServiceClient(_channel);
        Sharing = new SharingService.SharingServiceClient(_channel);
        Audit = new AuditService.AuditServiceClient(_channel);
    }

    public TokenSource Tokens { get; }

    /// <summary>Assertions and tokens never travel in cleartext beyond this machine.</summary>
    private static void RequireTlsOffLoopback(Uri address)
    {
        if (address.Scheme != Uri.UriSchemeHttps && !(address.IsLoopback || address.Host == "localhost"))
        {
            throw new ArgumentException($"{address} is not https; only loopback addresses may use plain http.", nameof(address));
        }
    }

    public CaseService.CaseServiceClient Cases { get; }

    public TenantAdminService.TenantAdminServiceClient Tenants { get; }

    public SharingService.SharingServiceClient Sharing { get; }

    public AuditService.AuditServiceClient Audit { get; }

    public GrpcChannel Channel => _channel;

    public void Dispose()
    {
        _channel.Dispose();
        Tokens.Dispose();
        _identityHttp.Dispose();
    }
}
