using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Identity;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Sharing;

/// <summary>
/// Creates, reads and revokes agreements. Only the grantor's own tenant-admin changes them (never the operator);
/// the two parties (and platform roles) read them; anyone else finds nothing. Creation and revocation take
/// the change-sequence lock, so pulls see them in order with record changes.
/// </summary>
public sealed partial class SharingAgreements(SharingDbContext db, RequestReceipts receipts, ServerKeys keys, AuditChain audit, AuditTrail trail,
    TimeProvider time)
{
    private const string CreateMethod = "sharing.v1.SharingService/CreateAgreement";

    public const int MaxFilterValues = 20;
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(5 * 366);

    [GeneratedRegex("^tenants/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)/agreements/([a-z0-9]{1,40})\\z", RegexOptions.CultureInvariant)]
    private static partial Regex AgreementName();

    [GeneratedRegex("^[A-Z]{2}-[A-Z0-9]{1,3}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Region();

    public Task<SharingAgreement> CreateAsync(Caller caller, CreateAgreementRequest request, CancellationToken cancellationToken) =>
        receipts.OnceAsync(caller, CreateMethod, request, request.RequestId, SharingAgreement.Parser,
            () => CreateOnceAsync(caller, request, cancellationToken), cancellationToken);

    private async Task<SharingAgreement> CreateOnceAsync(Caller caller, CreateAgreementRequest request, CancellationToken cancellationToken)
    {
        var grantor = await ManagedGrantorAsync(caller, request.Parent, cancellationToken);
        var proposed = request.Agreement ?? new SharingAgreement();
        var granteeSlug = RequestNames.Tenant(proposed.Grantee, "agreement.grantee");

        var grantee = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Slug == granteeSlug, cancellationToken);
        if (grantee is null || grantee.Kind == TenantKind.Operator)
        {
            RpcErrors.NotFound(proposed.Grantee);
        }

        if (grantee.Id == grantor.Id)
        {
            RpcErrors.InvalidArgument("agreement.grantee", "SELF_GRANT", "A tenant already sees its own records.");
        }

        var now = time.UtcNow();
        var entity = Validate(proposed, now);
        entity.GrantorTenantId = grantor.Id;
        entity.GranteeTenantId = grantee.Id;
        entity.CreateTime = now;

        await using var unit = await ChangeUnit.BeginAsync(db, cancellationToken);
        entity.CreateSeq = unit.NextSeq();
        db.Agreements.Add(entity);
        // Saved first: the agreement's name, in the audit event, carries the id the database gives it.
        await db.SaveChangesAsync(cancellationToken);
        var created = entity.ToProto(grantor.Slug, grantee.Slug, now);
        receipts.Keep(caller, CreateMethod, request, request.RequestId, created);
        await unit.CommitAsync(audit, Entry(caller, "CreateAgreement", created), cancellationToken);
        trail.Written = true;
        return created;
    }

    public async Task<SharingAgreement> GetAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        var (agreement, grantorSlug, granteeSlug) = await VisibleAsync(caller, name, tracked: false, cancellationToken);
        trail.Resources.Add(name);
        return agreement.ToProto(grantorSlug, granteeSlug, time.UtcNow());
    }

    public async Task<ListAgreementsResponse> ListAsync(Caller caller, ListAgreementsRequest request, CancellationToken cancellationToken)
    {
        var slug = RequestNames.Tenant(request.Parent, "parent");

        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Slug == slug, cancellationToken);
        if (tenant is null || (tenant.Id != caller.TenantId && !IsPlatform(caller)))
        {
            RpcErrors.NotFound(request.Parent);
        }

        var pageSize = PageSizes.Resolve(request.PageSize);
        var filter = request.Clone();
        filter.PageSize = 0;
        filter.PageToken = "";
        var after = PageToken.Open(request.PageToken, keys, caller.TenantId, filter);
        var now = time.UtcNow();
        var outgoing = request.Direction != ListAgreementsRequest.Types.Direction.Incoming;
        var incoming = request.Direction != ListAgreementsRequest.Types.Direction.Outgoing;
        var rows = await db.Agreements.AsNoTracking()
            .Where(a => (outgoing && a.GrantorTenantId == tenant.Id) || (incoming && a.GranteeTenantId == tenant.Id))
            .Where(request.IncludeEnded ? a => true : AgreementPolicy.NotEnded(now))
            .Where(a => a.Id > after)
            .OrderBy(a => a.Id).Take(pageSize + 1)
            .Join(db.Tenants, a => a.GrantorTenantId, t => t.Id, (a, grantor) => new { a, GrantorSlug = grantor.Slug })
            .Join(db.Tenants, x => x.a.GranteeTenantId, t => t.Id, (x, grantee) => new { x.a, x.GrantorSlug, GranteeSlug = grantee.Slug })
            .ToListAsync(cancellationToken);
        var page = rows.OrderBy(r => r.a.Id).ToList();
        var response = new ListAgreementsResponse { Agreements = { page.Take(pageSize).Select(r => r.a.ToProto(r.GrantorSlug, r.GranteeSlug, now)) } };
        trail.Resources.AddRange(response.Agreements.Select(a => a.Name));
        if (page.Count > pageSize)
        {
            response.NextPageToken = PageToken.Format(keys, caller.TenantId, filter, page[pageSize - 1].a.Id);
        }

        return response;
    }

    public async Task<SharingAgreement> RevokeAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        await using var unit = await ChangeUnit.BeginAsync(db, cancellationToken);
        var (agreement, grantorSlug, granteeSlug) = await VisibleAsync(caller, name, tracked: true, cancellationToken);
        if (!(agreement.GrantorTenantId == caller.TenantId && caller.Has(Roles.TenantAdmin)))
        {
            RpcErrors.PermissionDenied("GRANTOR_ONLY", "Only the grantor's tenant-admin revokes an agreement.");
        }

        var now = time.UtcNow();
        if (agreement.RevokeSeq is null)
        {
            agreement.RevokeSeq = unit.NextSeq();
            agreement.RevokeTime = now;
        }

        var revoked = agreement.ToProto(grantorSlug, granteeSlug, now);
        await unit.CommitAsync(audit, Entry(caller, "RevokeAgreement", revoked), cancellationToken);
        trail.Written = true;
        return revoked;
    }

    /// <summary>An agreement change is recorded under the agreement and both parties, so both tenants' auditors see it.</summary>
    private static AuditEntry Entry(Caller caller, string method, SharingAgreement agreement) =>
        new(caller.ClientId, caller.TenantSlug, "sharing.v1.SharingService/" + method, [agreement.Name, agreement.Grantee],
            PurposeName(agreement.Purpose), "OK", "");

    private static string PurposeName(Purpose purpose) => AgreementMapping.PurposeName((int)purpose);

    private static bool IsPlatform(Caller caller) => caller.Has(Roles.PlatformAdmin) || caller.Has(Roles.PlatformAuditor);

    /// <summary>The grantor named by <paramref name="parent"/> if the caller may grant for it; NOT_FOUND otherwise.</summary>
    private async Task<TenantEntity> ManagedGrantorAsync(Caller caller, string parent, CancellationToken cancellationToken)
    {
        var slug = RequestNames.Tenant(parent, "parent");

        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Slug == slug, cancellationToken);
        var allowed = tenant is not null && tenant.Kind != TenantKind.Operator && tenant.Id == caller.TenantId && caller.Has(Roles.TenantAdmin);
        if (!allowed)
        {
            RpcErrors.NotFound(parent);
        }

        return tenant!;
    }

    /// <summary>An agreement the caller's tenant is party to (or any, for platform roles); NOT_FOUND otherwise.</summary>
    private async Task<(AgreementEntity Agreement, string GrantorSlug, string GranteeSlug)> VisibleAsync(
        Caller caller, string name, bool tracked, CancellationToken cancellationToken)
    {
        var match = AgreementName().Match(name);
        if (!match.Success)
        {
            RpcErrors.InvalidArgument("name", "INVALID_FORMAT", "Must be tenants/{tenant}/agreements/{agreement}.");
        }

        var grantorSlug = match.Groups[1].Value;
        var agreementId = match.Groups[2].Value;
        var query = tracked ? db.Agreements : db.Agreements.AsNoTracking();
        var found = await query
            .Where(a => a.AgreementId == agreementId && db.Tenants.Any(t => t.Id == a.GrantorTenantId && t.Slug == grantorSlug))
            .Select(a => new { Agreement = a, GranteeSlug = db.Tenants.Where(t => t.Id == a.GranteeTenantId).Select(t => t.Slug).Single() })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null || !(IsPlatform(caller) || found.Agreement.GrantorTenantId == caller.TenantId || found.Agreement.GranteeTenantId == caller.TenantId))
        {
            RpcErrors.NotFound(name);
        }

        return (found.Agreement, grantorSlug, found.GranteeSlug);
    }

    private static AgreementEntity Validate(SharingAgreement proposed, DateTime now)
    {
        if (proposed.Purpose == Purpose.Unspecified || !System.Enum.IsDefined(proposed.Purpose))
        {
            RpcErrors.InvalidArgument("agreement.purpose", "REQUIRED", "Say why: rescue_coordination, documentation, un_submission or advocacy_statistics.");
        }

        var fields = proposed.Fields?.Paths.Distinct(StringComparer.Ordinal).ToList() ?? [];
        if (fields.Count == 0 || fields.Any(f => !AgreementPolicy.ShareableFields.Contains(f)))
        {
            RpcErrors.InvalidArgument("agreement.fields", "INVALID_FIELD_MASK", $"Name one or more of: {string.Join(", ", AgreementPolicy.ShareableFields.Order())}.");
        }

        var filter = proposed.Filter ?? new AgreementFilter();
        var maxClassification = filter.MaxClassification == Classification.Unspecified ? Classification.Restricted : filter.MaxClassification;
        if (!System.Enum.IsDefined(maxClassification)
            || filter.EventTypes.Count > MaxFilterValues || filter.EventTypes.Any(t => t == EventType.Unspecified || !System.Enum.IsDefined(t))
            || filter.Statuses.Count > MaxFilterValues || filter.Statuses.Any(s => s == CaseStatus.Unspecified || !System.Enum.IsDefined(s))
            || filter.Regions.Count > MaxFilterValues || filter.Regions.Any(r => !Region().IsMatch(r)))
        {
            RpcErrors.InvalidArgument("agreement.filter", "INVALID_FILTER", $"Defined values only, at most {MaxFilterValues} per list; regions as ISO 3166-2 codes such as CN-LN.");
        }

        if (!System.Enum.IsDefined(proposed.DatePrecision))
        {
            RpcErrors.InvalidArgument("agreement.date_precision", "UNKNOWN_VALUE", "Not a value this server knows.");
        }

        var minCell = proposed.MinCellSize == 0 ? 10 : proposed.MinCellSize;
        if (proposed.AggregateOnly && minCell is < 5 or > 1000)
        {
            RpcErrors.InvalidArgument("agreement.min_cell_size", "OUT_OF_RANGE", "Must be 0 (default 10) or 5-1000.");
        }

        var validFrom = proposed.ValidFrom is null ? now : RequestTimes.ToUtc(proposed.ValidFrom, "agreement.valid_from");
        var validUntil = proposed.ValidUntil is null ? DateTime.MinValue : RequestTimes.ToUtc(proposed.ValidUntil, "agreement.valid_until");
        if (validUntil <= now || validUntil <= validFrom || validUntil > now + MaxValidity)
        {
            RpcErrors.InvalidArgument("agreement.valid_until", "OUT_OF_RANGE", "Required: after now and after valid_from, at most 5 years ahead.");
        }

        return new AgreementEntity
        {
            AgreementId = "a" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Purpose = (int)proposed.Purpose,
            Fields = string.Join(' ', fields),
            MaxClassification = (int)maxClassification,
            EventTypes = AgreementMapping.Pack(filter.EventTypes),
            Statuses = AgreementMapping.Pack(filter.Statuses),
            Regions = CaseMapping.Pack(filter.Regions),
            DatePrecision = (int)proposed.DatePrecision,
            Linkage = proposed.Linkage,
            AggregateOnly = proposed.AggregateOnly,
            MinCellSize = minCell,
            ValidFrom = validFrom,
            ValidUntil = validUntil,
        };
    }

}
