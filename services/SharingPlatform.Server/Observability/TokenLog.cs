using Microsoft.AspNetCore;
using OpenIddict.Server;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Identity;
using SharingPlatform.Server.Tenants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace SharingPlatform.Server.Observability;

/// <summary>
/// Notes, for <see cref="CallLog"/>, how a token request ended: the OAuth error (OpenIddict's fixed codes) and the
/// client. The client id a request names is the caller's string until it is verified, so it is kept only when it names
/// a registered client (with that client's tenant); anything else is <c>unknown</c>. Runs after <see cref="TokenAudit"/>,
/// which may still turn the answer into <c>temporarily_unavailable</c>.
/// </summary>
public sealed class TokenLog(SharingDbContext db) : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public sealed record Outcome(string? Error, string? Client, string? Tenant);

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseScopedHandler<TokenLog>()
            .SetOrder(TokenAudit.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        if (context.Transaction.GetHttpRequest()?.HttpContext is not { } http)
        {
            return;
        }

        ClientStanding? client = null;
        try
        {
            client = await ClaimedClient.FindAsync(context.Transaction, db, context.CancellationToken);
        }
        catch (Exception failure) when (StorageErrors.IsTransient(failure) || StorageErrors.IsFull(failure))
        {
            // The line says "unknown"; the answer is not made worse for the log's sake.
        }

        var error = string.IsNullOrEmpty(context.Response.Error) ? null : Known(context.Response.Error);
        http.Items[typeof(TokenLog)] = new Outcome(error, client?.ClientId, client?.TenantSlug);
    }

    /// <summary>OpenIddict's error codes are its own; an unexpected one is logged as a shape, never as text.</summary>
    private static string Known(string error) =>
        error.Length <= 40 && error.All(c => c is (>= 'a' and <= 'z') or '_') ? error : "other";
}
