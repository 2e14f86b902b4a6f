using Microsoft.AspNetCore;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Server;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Tenants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// Records every token response, issued or refused, before it is sent: a token whose issuance cannot be
/// audited is not handed out. A refused request's client id (the form's client_id, else the assertion's iss) is unverified, so it is kept only as a request id,
/// and only when it looks like a client id. Refusals from one source are one event per window, the rest counted
/// (<see cref="RefusalCounts"/>), so that a flood of bad requests neither stalls the chain nor bloats the log.
/// </summary>
public sealed class TokenAudit(AuditChain chain, SharingDbContext db, RefusalCounts refusals, SourceAddresses sources, StorageState storage, ILogger<TokenAudit> logger)
    : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseScopedHandler<TokenAudit>()
            .SetOrder(int.MinValue + 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        try
        {
            await RecordAsync(context);
        }
        catch (Exception failure) when (StorageErrors.IsFull(failure) || StorageErrors.IsTransient(failure) || failure is AuditUnavailableException)
        {
            // The issuance cannot be recorded, so no token: a plain 503 the client may retry, not a 500.
            if (StorageErrors.IsFull(failure))
            {
                storage.MarkFull();
            }

            context.Response = Unavailable("The token request cannot be recorded just now, so no token is issued; try again shortly.");
        }
    }

    private static OpenIddict.Abstractions.OpenIddictResponse Unavailable(string description) => new()
    {
        Error = OpenIddict.Abstractions.OpenIddictConstants.Errors.TemporarilyUnavailable,
        ErrorDescription = description,
    };

    private async Task RecordAsync(ApplyTokenResponseContext context)
    {
        var claimed = ClaimedClient.Of(context.Transaction);
        if (chain.Fault is not null)
        {
            await WhileFaultedAsync(context, claimed);
            return;
        }

        if (string.IsNullOrEmpty(context.Response.Error) && claimed is not null)
        {
            var tenant = (await ClaimedClient.FindAsync(context.Transaction, db, context.CancellationToken))?.TenantSlug;
            await chain.AppendAloneAsync(new AuditEntry(claimed, tenant ?? "-", "token.issue",
                tenant is null ? [] : [claimed], "", "OK", ""), context.CancellationToken);
            return;
        }

        var outcome = context.Response.Error ?? "unknown";
        var source = sources.Pseudonym(context.Transaction.GetHttpRequest()?.HttpContext.Connection.RemoteIpAddress);
        if (refusals.Admit(new RefusalKey("-", "-", source, "token.refuse", outcome)))
        {
            await chain.AppendAloneAsync(new AuditEntry("-", "-", "token.refuse", [], "", outcome, claimed ?? ""), context.CancellationToken);
        }
    }

    /// <summary>
    /// While the chain cannot take events, only auditors get a token (for VerifyAuditChain, the diagnosis), noted in
    /// the application log; everyone else is told the service is unavailable, and refusals are not recorded.
    /// </summary>
    private async Task WhileFaultedAsync(ApplyTokenResponseContext context, string? claimed)
    {
        if (!string.IsNullOrEmpty(context.Response.Error))
        {
            return;
        }

        var roles = claimed is not null && (await ClaimedClient.FindAsync(context.Transaction, db, context.CancellationToken))?.Roles is { } packed
            ? Access.Roles.Parse(packed) : new HashSet<string>();
        if (claimed is not null && (roles.Contains(Access.Roles.PlatformAuditor) || roles.Contains(Access.Roles.Auditor)))
        {
            Hosting.Log.ServedUnrecorded(logger, "token.issue", claimed);
            return;
        }

        context.Response = Unavailable("The audit log cannot record token requests, so no token is issued; the operator has been alerted.");
    }
}
