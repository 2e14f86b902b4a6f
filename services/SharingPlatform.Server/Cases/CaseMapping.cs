using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Cases;

/// <summary>Maps between the wire <see cref="CaseRecord"/> and the stored <see cref="CaseEntity"/>.</summary>
public static class CaseMapping
{
    // Unknown fields are dropped: the server stores only what it has validated.
    private static readonly MessageParser<CaseRecord> StrictParser = CaseRecord.Parser.WithDiscardUnknownFields(true);

    /// <summary>The record's content as stored: validated fields only, without name, etag or times.</summary>
    public static byte[] ToContent(CaseRecord record)
    {
        var content = StrictParser.ParseFrom(record.ToByteString());
        content.Name = "";
        content.Etag = "";
        content.UpdateTime = null;
        content.CreateTime = null;
        return content.ToByteArray();
    }

    /// <summary>The packed form of a small set (agreement filters, revision history): <c>|a|b|</c>, or empty.</summary>
    public static string Pack(IEnumerable<string> values)
    {
        var distinct = values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return distinct.Count == 0 ? "" : "|" + string.Join('|', distinct) + "|";
    }

    /// <summary>The values of a packed column.</summary>
    public static string[] Unpack(string packed) => packed.Split('|', StringSplitOptions.RemoveEmptyEntries);

    public static CaseRecord ToProto(CaseEntity entity, string tenantSlug)
    {
        var record = CaseRecord.Parser.ParseFrom(entity.Content);
        record.Name = CaseNames.Format(tenantSlug, entity.CaseId);
        record.Etag = entity.Etag;
        record.CreateTime = Timestamp.FromDateTime(entity.CreateTime);
        record.UpdateTime = Timestamp.FromDateTime(entity.UpdateTime);
        return record;
    }

    public static Tombstone ToTombstone(CaseEntity entity, string tenantSlug) => new()
    {
        Name = CaseNames.Format(tenantSlug, entity.CaseId),
        Reason = TombstoneReason.Retracted,
        DeleteTime = Timestamp.FromDateTime(entity.UpdateTime),
        Etag = entity.Etag,
    };

    public static Change ToChange(CaseEntity entity, string tenantSlug) => entity.Retracted
        ? new Change { Name = CaseNames.Format(tenantSlug, entity.CaseId), Tombstone = ToTombstone(entity, tenantSlug) }
        : new Change { Name = CaseNames.Format(tenantSlug, entity.CaseId), Record = ToProto(entity, tenantSlug) };
}
