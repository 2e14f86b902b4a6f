using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Audit;

public static class AuditMapping
{
    public static AuditEvent ToProto(this AuditEventEntity e, bool redacted)
    {
        var proto = new AuditEvent
        {
            Sequence = e.Seq,
            ContentDigest = ByteString.CopyFrom(e.ContentDigest),
            PreviousHash = ByteString.CopyFrom(e.PreviousHash),
            Hash = ByteString.CopyFrom(e.Hash),
            Redacted = redacted,
        };
        // The salt goes only with the content: without it, a redacted digest cannot be tested against guessed fields.
        if (!redacted)
        {
            proto.Time = Timestamp.FromDateTime(e.Time);
            proto.ActorClient = e.ActorClient;
            proto.ActorTenant = e.ActorTenant;
            proto.Action = e.Action;
            proto.Resources.AddRange(e.ResourceList);
            proto.Purpose = e.Purpose;
            proto.Outcome = e.Outcome;
            proto.RequestId = e.RequestId;
            proto.Salt = ByteString.CopyFrom(e.Salt);
        }

        return proto;
    }
}
