using System.Linq.Expressions;
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
    private const int ScanChunk = 500;

    [GeneratedRegex("^[A-Z]{2}-[A-Z0-9]{1,3}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Region();

    public async Task<CaseRecord> GetAsync(Caller caller, GetCaseRequest request, CancellationToken cancellationToken)
    {
        var (slug, caseId) = RequestNames.Case(request.Name, "name");

        var view = await scope.ReadableAsync(caller, slug, cancellationToken);
        var entity = view is null ? null
            : await scope.Rows(view).AsNoTracking().SingleOrDefaultAsync(c => c.CaseId == caseId, cancellationToken);
        var record = entity is null ? null : view!.Project(entity);
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

        if (request.PageSize is < 0 or > MaxPageSize)
        {
            RpcErrors.InvalidArgument("page_size", "OUT_OF_RANGE", $"Must be 0 (default {DefaultPageSize}) to {MaxPageSize}.");
        }

        var filter = request.Clone();
        filter.PageSize = 0;
        filter.PageToken = "";
        if (!PageToken.TryParse(request.PageToken, keys, caller.TenantId, filter, out var afterId))
        {
            RpcErrors.InvalidArgument("page_token", "INVALID_PAGE_TOKEN", "Not a token for this query; list again from the first page.");
        }

        var query = Filter(scope.Rows(view).AsNoTracking().Where(c => !c.Retracted), request, view);
        var pageSize = request.PageSize == 0 ? DefaultPageSize : request.PageSize;
        var page = new List<(long Id, CaseRecord Record)>(pageSize);
        // A shared view can hide rows the query returns, so read in chunks until the page (plus one) is full.
        var take = view.Own ? pageSize + 1 : ScanChunk;
        take = Math.Max(take, 2);
        var lastId = afterId;
        var bytes = 0;
        var more = false;
        while (!more)
        {
            var rows = await query.Where(c => c.Id > lastId).OrderBy(c => c.Id).Take(take).ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                lastId = row.Id;
                if (view.Project(row) is not { } record)
                {
                    continue;
                }

                // A page ends at page_size records or before it would pass the message budget, whichever comes first.
                var size = record.CalculateSize();
                if (page.Count == pageSize || (page.Count > 0 && bytes + size > CaseFeed.MessageBudgetBytes))
                {
                    more = true;
                    break;
                }

                page.Add((row.Id, record));
                bytes += size;
            }

            if (rows.Count < take)
            {
                break;
            }
        }

        var response = new ListCasesResponse();
        response.Cases.AddRange(page.Select(p => p.Record));
        trail.Resources.AddRange(page.Select(p => p.Record.Name));
        if (more)
        {
            response.NextPageToken = PageToken.Format(keys, caller.TenantId, filter, page[^1].Id);
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

            query = query.Where(AnyPacked(c => c.EventTypes, request.EventTypes.Select(t => ((int)t).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        if (request.Regions.Count > 0)
        {
            if (request.Regions.Any(r => !Region().IsMatch(r)))
            {
                RpcErrors.InvalidArgument("regions", "INVALID_FORMAT", "Every region must be an ISO 3166-2 code such as CN-LN.");
            }

            query = query.Where(AnyPacked(c => c.Regions, request.Regions));
        }

        if (request.UpdatedSince is not null)
        {
            var since = RequestTimes.ToUtc(request.UpdatedSince, "updated_since");
            query = query.Where(c => c.UpdateTime >= since);
        }

        return query;
    }

    /// <summary><c>column LIKE '%|a|%' OR column LIKE '%|b|%' ...</c> over a packed column (see <see cref="CaseMapping.Pack"/>).</summary>
    private static Expression<Func<CaseEntity, bool>> AnyPacked(Expression<Func<CaseEntity, string>> column, IEnumerable<string> values)
    {
        var contains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
        Expression? body = null;
        foreach (var value in values.Distinct(StringComparer.Ordinal))
        {
            Expression<Func<string>> packed = () => "|" + value + "|";
            var test = Expression.Call(column.Body, contains, packed.Body);
            body = body is null ? test : Expression.OrElse(body, test);
        }

        return Expression.Lambda<Func<CaseEntity, bool>>(body ?? Expression.Constant(true), column.Parameters);
    }
}
