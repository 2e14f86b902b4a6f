using System.Globalization;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// The facts of a record that sharing rules and queries use, derived from the record when it is stored: status,
/// classification, consent, event types, regions and latest month. Kept in columns and side rows so that the
/// database filters and counts on them.
/// </summary>
public static class CaseFacts
{
    /// <summary>Rows with a lower <see cref="CaseEntity.FactsVersion"/> get their facts filled in at start-up.</summary>
    public const int Version = 1;

    /// <summary>Sets <paramref name="entity"/>'s facts from <paramref name="record"/>; side rows are replaced in place
    /// (the entity's collections must be loaded when it is tracked).</summary>
    public static void Apply(CaseEntity entity, CaseRecord record)
    {
        entity.Status = (int)record.Status;
        entity.Classification = (int)record.Classification;
        entity.ConsentScope = (int)record.ConsentScope;
        Replace(entity.EventTypes, record.Events.Select(e => (int)e.Type).Distinct(), e => e.EventType, t => new CaseEventType { CaseRowId = entity.Id, EventType = t });
        Replace(entity.Regions, record.Events.Select(e => e.Location?.Region ?? "").Where(r => r.Length > 0).Distinct(StringComparer.Ordinal),
            r => r.Region, r => new CaseRegion { CaseRowId = entity.Id, Region = r });
        entity.Month = Month(record);
        entity.FactsVersion = Version;
    }

    /// <summary>A retracted record keeps no facts.</summary>
    public static void Clear(CaseEntity entity)
    {
        entity.Status = 0;
        entity.Classification = 0;
        entity.ConsentScope = 0;
        entity.EventTypes.Clear();
        entity.Regions.Clear();
        entity.Month = 0;
        entity.FactsVersion = Version;
    }

    /// <summary>The latest event month as <c>yyyymm</c>; 0 when no event date has a month.</summary>
    public static int Month(CaseRecord record) =>
        record.Events.Select(e => e.Date).OfType<PartialDate>().Where(d => d.Month > 0)
            .Select(d => (d.Year * 100) + d.Month).DefaultIfEmpty(0).Max();

    /// <summary>A month key as counts show it: <c>2024-03</c>, or <c>2024</c> for years only; 0 is unknown.</summary>
    public static string MonthKey(int month, bool yearsOnly) =>
        month <= 0 ? "unknown"
        : yearsOnly ? (month / 100).ToString("D4", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{month / 100:D4}-{month % 100:D2}");

    private static void Replace<TRow, TValue>(List<TRow> rows, IEnumerable<TValue> wanted, Func<TRow, TValue> value, Func<TValue, TRow> create)
        where TValue : notnull
    {
        var set = wanted.ToHashSet();
        rows.RemoveAll(r => !set.Contains(value(r)));
        set.ExceptWith(rows.Select(value));
        rows.AddRange(set.Order().Select(create));
    }
}
