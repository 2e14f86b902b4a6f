using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Identity;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Access;

/// <summary>
/// Authorizes every call before it reaches a service: finds the method's rule, checks the access token
/// (validated by OpenIddict), then reads the client and its tenant from the database so that a disabled
/// client, a rotated key, a suspended tenant or a removed role is refused on the very next call, not at token expiry.
/// </summary>
public sealed class CallerInterceptor(SharingDbContext db) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(db, context);
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(db, context);
        await continuation(request, responseStream, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(db, context);
        return await continuation(requestStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(db, context);
        await continuation(requestStream, responseStream, context);
    }

    /// <summary>
    /// Authorizes the call and records its <see cref="Caller"/>. Following pulls run it again before every later pass,
    /// so that an open stream stops as soon as its client would be refused a new call.
    /// </summary>
    public static async Task AuthorizeAsync(SharingDbContext db, ServerCallContext context)
    {
        if (!RpcRules.ByMethod.TryGetValue(context.Method, out var rule))
        {
            RpcErrors.PermissionDenied("NO_RULE", "This method has no access rule and is refused.");
        }

        if (rule.Anonymous)
        {
            return;
        }

        var user = context.GetHttpContext().User;
        var clientId = user.FindFirst(OpenIddictConstants.Claims.Subject)?.Value;
        if (user.Identity?.IsAuthenticated != true || string.IsNullOrEmpty(clientId))
        {
            RpcErrors.Unauthenticated("TOKEN_REQUIRED", "A valid access token for audience sharing-api is required.");
        }

        var client = await ClientStanding.FindAsync(db, clientId, context.CancellationToken);
        if (client is null || !client.ClientActive)
        {
            RpcErrors.Unauthenticated("CLIENT_DISABLED", "This client is disabled or unknown.");
        }

        // A token names the key it was obtained with: once that key is rotated away the token is dead, like a disabled
        // client's. Comparing keys, not iat with a rotation time, is exact: a new key's token of the same second works.
        if ((user.FindFirst(TokenClaims.ClientKey)?.Value ?? "") != client.KeyId)
        {
            RpcErrors.Unauthenticated("KEY_ROTATED", "This access token was obtained with a key the client no longer has; request a new token.");
        }

        // Likewise a token from before the client was last disabled: enabling it again must not revive a token that was
        // taken while it was disabled for a reason (a leak, a departed partner).
        if ((user.FindFirst(TokenClaims.ClientGeneration)?.Value ?? "0") != client.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            RpcErrors.Unauthenticated("TOKEN_REVOKED", "This access token was obtained before the client was disabled; request a new token.");
        }

        if (user.FindFirst(TokenClaims.Tenant)?.Value != client.TenantSlug)
        {
            RpcErrors.Unauthenticated("TOKEN_TENANT_MISMATCH", "The access token does not match this client's tenant.");
        }

        if (!client.TenantActive)
        {
            RpcErrors.PermissionDenied("TENANT_SUSPENDED", "This client's tenant is suspended.");
        }

        // A role counts only if the token carries it and the client still holds it now.
        var tokenRoles = user.FindAll(TokenClaims.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var roles = Roles.Parse(client.Roles).Where(tokenRoles.Contains).ToHashSet(StringComparer.Ordinal);
        if (!rule.AnyOf.Overlaps(roles))
        {
            RpcErrors.PermissionDenied("ROLE_REQUIRED", $"This method needs one of the roles: {string.Join(", ", rule.AnyOf)}.");
        }

        context.GetHttpContext().Items[typeof(Caller)] = new Caller(clientId, client.TenantId, client.TenantSlug, client.TenantKind, roles);
    }
}
