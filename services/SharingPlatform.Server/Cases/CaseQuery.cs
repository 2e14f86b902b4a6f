using Google.Protobuf;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Identity;
using SharingPlatform.Server.Sharing;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Cases;

/// <summary>GetCase and ListCases over the rows <see cref="CaseScope"/> lets the caller read.</summary>
public sealed partial class CaseQuery(CaseScope scope, AuditTrail trail, ServerKeys keys)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;
    public const int MaxFilterValues = 20;

    /// <summary>The most stored rows one ListCases call examines.</summary>
    public const int ScanBudget = 5000;

    [GeneratedRegex("^[A-Z]{2}-[A-Z0-9]{1,3}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Region();

    public async Task<CaseRecord> GetAsync(Caller caller, GetCaseRequest request, CancellationToken cancellationToken)
    {
        var (slug, caseId) = RequestNames.Case(request.Name, "name");

        var view = await scope.ReadableAsync(caller, slug, cancellationToken);
        var found = view is null ? null
            : await CaseScope.WithGoverning(scope.Readable(view).Where(c => c.CaseId == caseId), view).SingleOrDefaultAsync(cancellationToken);
        var record = found is null ? null : view!.Project(found.Row, found.Governing);
        if (record is null)
        {
            RpcErrors.NotFound(request.Name);
        }

        trail.Resources.Add(record.Name);
        return record;
    }

    public async Task<ListCasesResponse> ListAsync(Caller caller, ListCasesRequest request, CancellationToken cancellationToken)
    {
        var slug = RequestNames.Tenant(request.Parent, "parent");

        var view = await scope.ReadableAsync(caller, slug, cancellationToken);
        if (view is null)
        {
            RpcErrors.NotFound(request.Parent);
        }

        var pageSize = PageSizes.Resolve(request.PageSize, defaultSize: DefaultPageSize, max: MaxPageSize);
        var filter = request.Clone();
        filter.PageSize = 0;
        filter.PageToken = "";
        var afterId = PageToken.Open(request.PageToken, keys, caller.TenantId, filter);

        // One call examines at most ScanBudget stored rows of the tenant, however few of them the view shows: the
        // database filters them, and a page that ends at the budget carries a token to go on from there.
        var scanEnd = await scope.ScanEndAsync(view, afterId, ScanBudget, cancellationToken);
        var query = Filter(scope.Readable(view), request, view).Where(c => c.Id > afterId);
        if (scanEnd is { } end)
        {
            query = query.Where(c => c.Id <= end);
        }

        var rows = await CaseScope.WithGoverning(query.OrderBy(c => c.Id).Take(pageSize + 1), view).ToListAsync(cancellationToken);
        var page = new List<(long Id, CaseRecord Record)>(Math.Min(pageSize, rows.Count));
        var bytes = 0;
        var more = false;
        foreach (var row in rows)
        {
            // A page ends at page_size records or before it would pass the message budget, whichever comes first.
            var record = view.Project(row.Row, row.Governing)!;
            var size = record.CalculateSize();
            if (page.Count == pageSize || (page.Count > 0 && bytes + size > CaseFeed.MessageBudgetBytes))
            {
                more = true;
                break;
            }

            page.Add((row.Row.Id, record));
            bytes += size;
        }

        // Short of a full page, the budget may have ended the scan: go on after it.
        var resumeAfter = more ? page[^1].Id : scanEnd;
        var response = new ListCasesResponse();
        response.Cases.AddRange(page.Select(p => p.Record));
        trail.Resources.AddRange(page.Select(p => p.Record.Name));
        if (resumeAfter is { } after)
        {
            response.NextPageToken = PageToken.Format(keys, caller.TenantId, filter, after);
        }

        return response;
    }

    private static IQueryable<CaseEntity> Filter(IQueryable<CaseEntity> query, ListCasesRequest request, TenantView view)
    {
        // Filtering a shared view on a field some agreement hides would reveal that field through membership.
        if ((request.Statuses.Count > 0 && !view.AlwaysShows("status"))
            || ((request.EventTypes.Count > 0 || request.Regions.Count > 0) && !view.AlwaysShows("events")))
        {
            RpcErrors.InvalidArgument(request.Statuses.Count > 0 && !view.AlwaysShows("status") ? "statuses" : "event_types",
                "FIELD_NOT_SHARED", "Filtering on a field the sharing agreement does not show is not allowed.");
        }

        foreach (var (field, count) in new[] { ("statuses", request.Statuses.Count), ("event_types", request.EventTypes.Count), ("regions", request.Regions.Count) })
        {
            if (count > MaxFilterValues)
            {
                RpcErrors.InvalidArgument(field, "TOO_MANY", $"At most {MaxFilterValues} values per filter.");
            }
        }

        if (request.Statuses.Count > 0)
        {
            if (request.Statuses.Any(s => s == CaseStatus.Unspecified || !Enum.IsDefined(s)))
            {
                RpcErrors.InvalidArgument("statuses", "UNKNOWN_VALUE", "Every status must be a defined, non-zero value.");
            }

            var statuses = request.Statuses.Select(s => (int)s).ToList();
            query = query.Where(c => statuses.Contains(c.Status));
        }

        if (request.EventTypes.Count > 0)
        {
            if (request.EventTypes.Any(t => t == EventType.Unspecified || !Enum.IsDefined(t)))
            {
                RpcErrors.InvalidArgument("event_types", "UNKNOWN_VALUE", "Every event type must be a defined, non-zero value.");
            }

            var types = request.EventTypes.Select(t => (int)t).Distinct().ToList();
            query = query.Where(c => c.EventTypes.Any(e => types.Contains(e.EventType)));
        }

        if (request.Regions.Count > 0)
        {
            if (request.Regions.Any(r => !Region().IsMatch(r)))
            {
                RpcErrors.InvalidArgument("regions", "INVALID_FORMAT", "Every region must be an ISO 3166-2 code such as CN-LN.");
            }

            var regions = request.Regions.Distinct(StringComparer.Ordinal).ToList();
            query = query.Where(c => c.Regions.Any(r => regions.Contains(r.Region)));
        }

        if (request.UpdatedSince is not null)
        {
            var since = RequestTimes.ToUtc(request.UpdatedSince, "updated_since");
            query = query.Where(c => c.UpdateTime >= since);
        }

        return query;
    }
}
