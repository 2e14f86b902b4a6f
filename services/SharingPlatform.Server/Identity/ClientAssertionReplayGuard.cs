using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using SharingPlatform.Server.Data;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// Refuses a private_key_jwt client assertion that was already used, or that lives too long. OpenIddict
/// checks the assertion's signature, typ, audience and expiry but accepts the same jti twice; this handler
/// runs right after those checks and records each jti in the shared database, so a replay fails on every
/// replica (DESIGN section 12).
/// </summary>
public sealed class ClientAssertionReplayGuard(SharingDbContext db, IOptions<IdentityServerOptions> options, TimeProvider time)
    : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    /// <summary>How far a client's clock may run ahead of ours when it stamps iat.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>OpenIddict's own tolerance when it checks an assertion's exp (measured on 7.8.0).</summary>
    public static readonly TimeSpan OpenIddictClockSkew = TimeSpan.FromMinutes(5);

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireClientAssertionPrincipal>()
            .UseScopedHandler<ClientAssertionReplayGuard>()
            .SetOrder(ValidateClientAssertionIssuer.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        var assertion = context.ClientAssertionPrincipal!;
        var clientId = assertion.GetClaim(Claims.Issuer);
        var tokenId = assertion.GetClaim(Claims.JwtId);
        var issuedAt = assertion.GetCreationDate();
        var expiresAt = assertion.GetExpirationDate();
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(tokenId) || tokenId.Length > 200 || issuedAt is null || expiresAt is null)
        {
            context.Reject(Errors.InvalidClient, "The client assertion must carry jti (at most 200 characters), iat and exp.");
            return;
        }

        var now = time.GetUtcNow();
        var maxLifetime = options.Value.MaxAssertionLifetime;
        if (issuedAt > now + ClockSkew || expiresAt - issuedAt > maxLifetime || expiresAt - now > maxLifetime)
        {
            context.Reject(Errors.InvalidClient, $"The client assertion must be issued now and live at most {maxLifetime.TotalSeconds:0} seconds.");
            return;
        }

        // OpenIddict still accepts an assertion up to its clock skew past exp: remember the jti that long too.
        var nowUtc = now.UtcDateTime;
        await db.UsedClientAssertions.Where(a => a.ExpireTime < nowUtc).ExecuteDeleteAsync(context.CancellationToken);
        var used = new UsedClientAssertion { ClientId = clientId, TokenId = tokenId, ExpireTime = (expiresAt.Value + OpenIddictClockSkew).UtcDateTime };
        db.UsedClientAssertions.Add(used);
        try
        {
            await db.SaveChangesAsync(context.CancellationToken);
        }
        catch (DbUpdateException)
        {
            db.Entry(used).State = EntityState.Detached;
            if (!await db.UsedClientAssertions.AsNoTracking()
                .AnyAsync(a => a.ClientId == clientId && a.TokenId == tokenId, context.CancellationToken))
            {
                throw;
            }

            context.Reject(Errors.InvalidClient, "The client assertion was already used; sign a new one with a fresh jti.");
            return;
        }

        db.Entry(used).State = EntityState.Detached;
    }
}
