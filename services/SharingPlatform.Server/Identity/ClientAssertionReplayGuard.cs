using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using SharingPlatform.Server.Data;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// Refuses a private_key_jwt client assertion that was already used. <see cref="ClientAssertionRules"/> has checked
/// its shape and times and OpenIddict its signature, but OpenIddict accepts the same jti twice; this handler runs
/// right after those checks and records each jti in the shared database, so a replay fails on every replica
/// (DESIGN section 12).
/// </summary>
public sealed class ClientAssertionReplayGuard(SharingDbContext db, TimeProvider time)
    : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
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
        var expiresAt = assertion.GetExpirationDate();
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(tokenId) || tokenId.Length > 200 || expiresAt is null)
        {
            context.Reject(Errors.InvalidClient, "The client assertion must carry a jti of at most 200 characters.");
            return;
        }

        // The rules accept an assertion up to their clock skew past exp: remember the jti that long too. Expired rows
        // are purged in the background (Housekeeping); until then one refuses nothing, and a new use takes its place.
        // Only a use expired by one more clock skew is reclaimed, so that the rules' clock, read a moment earlier,
        // cannot still have accepted it.
        var spent = time.GetUtcNow().UtcDateTime - ClientAssertionRules.ClockSkew;
        var used = new UsedClientAssertion { ClientId = clientId, TokenId = tokenId, ExpireTime = (expiresAt.Value + ClientAssertionRules.ClockSkew).UtcDateTime };
        for (var attempt = 1; ; attempt++)
        {
            db.UsedClientAssertions.Add(used);
            try
            {
                await db.SaveChangesAsync(context.CancellationToken);
                break;
            }
            catch (DbUpdateException)
            {
                db.Entry(used).State = EntityState.Detached;
            }

            var reclaimed = await db.UsedClientAssertions
                .Where(a => a.ClientId == clientId && a.TokenId == tokenId && a.ExpireTime < spent)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.ExpireTime, used.ExpireTime), context.CancellationToken);
            if (reclaimed == 1)
            {
                return;
            }

            // Still there and not spent: a replay. Gone (purged between the insert and now): insert once more; a
            // second conflict is taken as a replay.
            if (attempt == 2 || await db.UsedClientAssertions.AsNoTracking()
                .AnyAsync(a => a.ClientId == clientId && a.TokenId == tokenId, context.CancellationToken))
            {
                context.Reject(Errors.InvalidClient, "The client assertion was already used; sign a new one with a fresh jti.");
                return;
            }
        }

        db.Entry(used).State = EntityState.Detached;
    }
}
