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

        // Counted by the database: one GROUP BY over indexed columns and side rows, nothing loaded per record.
        var rows = scope.Countable(view);
        var total = await rows.LongCountAsync(cancellationToken);
        var cells = new SortedDictionary<string, long>(StringComparer.Ordinal);
        switch (request.GroupBy)
        {
            case CountDimension.Status:
                foreach (var g in await rows.GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken))
                {
                    Add(cells, ProtoName("CaseStatus", g.Key), g.Count);
                }

                break;
            case CountDimension.EventType:
                foreach (var g in await scope.EventTypesOf(rows).GroupBy(e => e.EventType).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken))
                {
                    Add(cells, ProtoName("EventType", g.Key), g.Count);
                }

                Add(cells, "unknown", await rows.LongCountAsync(c => !c.EventTypes.Any(), cancellationToken));
                break;
            case CountDimension.Region:
                foreach (var g in await scope.RegionsOf(rows).GroupBy(r => r.Region).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken))
                {
                    Add(cells, g.Key, g.Count);
                }

                Add(cells, "unknown", await rows.LongCountAsync(c => !c.Regions.Any(), cancellationToken));
                break;
            default:
                var months = view.YearsOnly
                    ? rows.GroupBy(c => c.Month / 100 * 100)
                    : rows.GroupBy(c => c.Month);
                foreach (var g in await months.Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken))
                {
                    Add(cells, CaseFacts.MonthKey(g.Key, view.YearsOnly), g.Count);
                }

                break;
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

    /// <summary>Adds a count to a cell; values the contract does not name (and empty cells) fold into what is there.</summary>
    private static void Add(SortedDictionary<string, long> cells, string key, long count)
    {
        if (count > 0)
        {
            cells[key] = cells.GetValueOrDefault(key) + count;
        }
    }

    /// <summary>The contract's own name of an enum value, e.g. <c>EVENT_TYPE_CROSSED_BORDER</c>.</summary>
    private static string ProtoName(string enumName, int value) =>
        CasesReflection.Descriptor.EnumTypes.Single(e => e.Name == enumName).FindValueByNumber(value)?.Name ?? "unknown";

}
