using OpenIddict.Server;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// The client a token request names (the form's client_id, else the assertion's iss): the caller's string, unverified,
/// so null unless it is shaped like a client id. Its standing is read once per request and kept in the request's
/// transaction for every handler that needs it (<see cref="TokenAudit"/>, the token log).
/// </summary>
public static class ClaimedClient
{
    private const string Property = ".sharingplatform_claimed_client";

    public static string? Of(OpenIddictServerTransaction transaction)
    {
        var request = transaction.Request;
        var claimed = request?.ClientId
            ?? (UnverifiedAssertion.TryRead(request?.ClientAssertion) is { } assertion ? UnverifiedAssertion.StringOf(assertion.Claims, "iss") : null);
        return ClientNames.IsWellFormed(claimed) ? claimed : null;
    }

    /// <summary>The registered client the request names, or null (none named, or no such client).</summary>
    public static async Task<ClientStanding?> FindAsync(OpenIddictServerTransaction transaction, SharingDbContext db, CancellationToken cancellationToken)
    {
        if (transaction.Properties.TryGetValue(Property, out var known))
        {
            return known as ClientStanding;
        }

        var standing = Of(transaction) is { } claimed ? await ClientStanding.FindAsync(db, claimed, cancellationToken) : null;
        transaction.Properties[Property] = standing;
        return standing;
    }
}
