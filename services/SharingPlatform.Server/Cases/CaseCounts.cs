using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// CountCases: counts by one dimension, with small-cell suppression for shared data. A cell under the minimum
/// size is withheld, and never alone: if only one cell of a dimension would be withheld, the next smallest is
/// withheld too, so that the total minus the shown cells cannot give it away. The total itself is withheld
/// when it is under the minimum.
/// </summary>
public sealed class CaseCounts(CaseScope scope, AuditTrail trail)
{
    public async Task<CountCasesResponse> CountAsync(Caller caller, CountCasesRequest request, CancellationToken cancellationToken)
    {
        var slug = RequestNames.Tenant(request.Parent, "parent");

        var view = await scope.CountableAsync(caller, slug, cancellationToken);
        if (view is null)
        {
            RpcErrors.NotFound(request.Parent);
        }

        if (request.GroupBy == CountDimension.Unspecified || !Enum.IsDefined(request.GroupBy))
        {
            RpcErrors.InvalidArgument("group_by", "REQUIRED", "Group by month, region, status or event type.");
        }

        if (!view.AlwaysShows(request.GroupBy == CountDimension.Status ? "status" : "events"))
        {
            RpcErrors.InvalidArgument("group_by", "FIELD_NOT_SHARED", "Grouping by a field the agreement does not show is not allowed.");
        }

        var withContent = request.GroupBy == CountDimension.Month;
        var rows = await scope.Rows(view).AsNoTracking().Where(c => !c.Retracted)
            .Select(c => new CaseEntity
            {
                CaseId = c.CaseId, Status = c.Status, Classification = c.Classification, ConsentScope = c.ConsentScope,
                EventTypes = c.EventTypes, Regions = c.Regions, Content = withContent ? c.Content : Array.Empty<byte>(),
            })
            .ToListAsync(cancellationToken);

        var cells = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var total = 0L;
        foreach (var row in rows.Where(view.Counts))
        {
            total++;
            foreach (var key in Keys(row, request.GroupBy, view.YearsOnly))
            {
                cells[key] = cells.GetValueOrDefault(key) + 1;
            }
        }

        trail.Resources.Add(request.Parent);
        if (!view.Own)
        {
            foreach (var agreement in view.Agreements)
            {
                trail.Purposes.Add(Sharing.AgreementMapping.PurposeName(agreement.Purpose));
            }
        }

        return Suppress(cells, total, view.MinCellSize);
    }

    /// <summary>Applies the suppression rules; public for the tests that pin them.</summary>
    public static CountCasesResponse Suppress(IReadOnlyDictionary<string, long> cells, long total, int minCellSize)
    {
        var withheld = cells.Where(c => c.Value < minCellSize).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        if (withheld.Count == 1 && total >= minCellSize)
        {
            // One withheld cell alone is total minus the others: withhold the next smallest as well.
            var next = cells.Where(c => !withheld.Contains(c.Key)).OrderBy(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key).FirstOrDefault();
            if (next is not null)
            {
                withheld.Add(next);
            }
        }

        var response = new CountCasesResponse
        {
            MinCellSize = minCellSize,
            Total = total < minCellSize ? new CountValue { Suppressed = true } : new CountValue { Count = total },
        };
        foreach (var (key, count) in cells.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            response.Cells.Add(new CountCell { Key = key, Count = withheld.Contains(key) ? new CountValue { Suppressed = true } : new CountValue { Count = count } });
        }

        return response;
    }

    private static IEnumerable<string> Keys(CaseEntity row, CountDimension dimension, bool yearsOnly)
    {
        switch (dimension)
        {
            case CountDimension.Status:
                return [ProtoName("CaseStatus", row.Status)];
            case CountDimension.EventType:
                return CaseMapping.Unpack(row.EventTypes).Select(v => ProtoName("EventType", int.Parse(v, System.Globalization.CultureInfo.InvariantCulture))).DefaultIfEmpty("unknown");
            case CountDimension.Region:
                return CaseMapping.Unpack(row.Regions).DefaultIfEmpty("unknown");
            default:
                var latest = CaseRecord.Parser.ParseFrom(row.Content).Events
                    .Select(e => e.Date).OfType<PartialDate>().Where(d => d.Month > 0)
                    .OrderByDescending(d => d.Year).ThenByDescending(d => d.Month).FirstOrDefault();
                return [latest is null ? "unknown" : yearsOnly ? $"{latest.Year:D4}" : $"{latest.Year:D4}-{latest.Month:D2}"];
        }
    }

    /// <summary>The contract's own name of an enum value, e.g. <c>EVENT_TYPE_CROSSED_BORDER</c>.</summary>
    private static string ProtoName(string enumName, int value) =>
        CasesReflection.Descriptor.EnumTypes.Single(e => e.Name == enumName).FindValueByNumber(value)?.Name ?? "unknown";

}
