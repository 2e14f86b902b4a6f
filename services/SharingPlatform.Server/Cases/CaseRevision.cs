namespace SharingPlatform.Server.Cases;

/// <summary>
/// The shareable facts of one version of a record (no content), written with every change. A pull uses
/// them to decide whether a grantee could have held a record at its cursor, so that it sends a tombstone
/// exactly when needed and never reveals the name of a record the grantee was not entitled to.
/// </summary>
public sealed class CaseRevision : ICaseFacts
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

    public string EventTypes { get; set; } = "";

    public string Regions { get; set; } = "";

    public static CaseRevision Of(CaseEntity entity) => new()
    {
        Case = entity,
        Seq = entity.Seq,
        Time = entity.UpdateTime,
        Retracted = entity.Retracted,
        Status = entity.Status,
        Classification = entity.Classification,
        ConsentScope = entity.ConsentScope,
        EventTypes = entity.EventTypes,
        Regions = entity.Regions,
    };
}
