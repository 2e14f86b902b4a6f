namespace SharingPlatform.Server.Cases;

/// <summary>
/// The shareable facts of one version of a record (no content), written with every change. A pull uses
/// them to decide whether a grantee could have held a record at its cursor, so that it sends a tombstone
/// exactly when needed and never reveals the name of a record the grantee was not entitled to.
/// </summary>
public sealed class CaseRevision
{
    public long CaseRowId { get; set; }

    public CaseEntity? Case { get; set; }

    public long Seq { get; set; }

    /// <summary>When this version was written (its record's update time); <see cref="DateTime.MinValue"/> for
    /// revisions written before times were kept, which are then judged by sequence alone.</summary>
    public DateTime Time { get; set; }

    public bool Retracted { get; set; }

    public int Status { get; set; }

    public int Classification { get; set; }

    public int ConsentScope { get; set; }

    /// <summary>Event types as <c>|2|3|</c>: history is only ever read per record, never filtered on.</summary>
    public string EventTypes { get; set; } = "";

    /// <summary>Event regions as <c>|CN-LN|CN-JL|</c>.</summary>
    public string Regions { get; set; } = "";

    public static CaseRevision Of(CaseEntity entity) => new()
    {
        Case = entity,
        CaseRowId = entity.Id,
        Seq = entity.Seq,
        Time = entity.UpdateTime,
        Retracted = entity.Retracted,
        Status = entity.Status,
        Classification = entity.Classification,
        ConsentScope = entity.ConsentScope,
        EventTypes = CaseMapping.Pack(entity.EventTypes.Select(e => e.EventType.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        Regions = CaseMapping.Pack(entity.Regions.Select(r => r.Region)),
    };

    /// <summary>This version's facts in the shape the sharing policy judges (<see cref="Sharing.AgreementPolicy"/>).</summary>
    public CaseEntity ToFacts() => new()
    {
        CaseId = "",
        Retracted = Retracted,
        Status = Status,
        Classification = Classification,
        ConsentScope = ConsentScope,
        EventTypes = [.. CaseMapping.Unpack(EventTypes).Select(t => new CaseEventType { EventType = int.Parse(t, System.Globalization.CultureInfo.InvariantCulture) })],
        Regions = [.. CaseMapping.Unpack(Regions).Select(r => new CaseRegion { Region = r })],
    };
}
