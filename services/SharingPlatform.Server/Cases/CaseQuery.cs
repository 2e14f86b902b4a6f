using System.Linq.Expressions;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Cases;

/// <summary>GetCase and ListCases over the rows <see cref="CaseScope"/> lets the caller read.</summary>
public sealed partial class CaseQuery(CaseScope scope)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;
    public const int MaxFilterValues = 20;

    [GeneratedRegex("^[A-Z]{2}-[A-Z0-9]{1,3}$", RegexOptions.CultureInvariant)]
    private static partial Regex Region();

    public async Task<CaseRecord> GetAsync(Caller caller, GetCaseRequest request, CancellationToken cancellationToken)
    {
        if (!CaseNames.TryParse(request.Name, out var slug, out var caseId))
        {
            RpcErrors.InvalidArgument("name", "INVALID_FORMAT", "Must be tenants/{tenant}/cases/{case}.");
        }

        var readable = scope.Readable(caller, slug);
        var entity = readable is null ? null
            : await readable.AsNoTracking().SingleOrDefaultAsync(c => c.CaseId == caseId && !c.Retracted, cancellationToken);
        if (entity is null)
        {
            RpcErrors.NotFound(request.Name);
        }

        return CaseMapping.ToProto(entity, slug);
    }

    public async Task<ListCasesResponse> ListAsync(Caller caller, ListCasesRequest request, CancellationToken cancellationToken)
    {
        if (!TenantNames.TryParse(request.Parent, out var slug))
        {
            RpcErrors.InvalidArgument("parent", "INVALID_FORMAT", "Must be tenants/{tenant}.");
        }

        var readable = scope.Readable(caller, slug);
        if (readable is null)
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
        if (!PageToken.TryParse(request.PageToken, PageToken.Fingerprint(filter), out var afterId))
        {
            RpcErrors.InvalidArgument("page_token", "INVALID_PAGE_TOKEN", "Not a token for this query; list again from the first page.");
        }

        var query = Filter(readable.AsNoTracking().Where(c => !c.Retracted), request);
        var pageSize = request.PageSize == 0 ? DefaultPageSize : request.PageSize;
        var rows = await query.Where(c => c.Id > afterId).OrderBy(c => c.Id).Take(pageSize + 1).ToListAsync(cancellationToken);

        var response = new ListCasesResponse();
        response.Cases.AddRange(rows.Take(pageSize).Select(r => CaseMapping.ToProto(r, slug)));
        if (rows.Count > pageSize)
        {
            response.NextPageToken = PageToken.Format(rows[pageSize - 1].Id, PageToken.Fingerprint(filter));
        }

        return response;
    }

    private static IQueryable<CaseEntity> Filter(IQueryable<CaseEntity> query, ListCasesRequest request)
    {
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
            var since = request.UpdatedSince.ToDateTime();
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
