extern alias server;

using System.Buffers.Text;
using Google.Protobuf;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using ServerRecord = server::SharingPlatform.V1.CaseRecord;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>Valid records that use every field, for mutations to start from: a mutation then reaches every check.</summary>
public static class FuzzRecords
{
    public static CaseRecord Rich(string name, Random random)
    {
        var record = Records.Valid(name, (CaseStatus)random.Next(1, 8));
        // Everything drawn from the seed, so that a seed replays the same records.
        record.SubjectToken = Token(random);
        record.RelatedSubjects.Add(new RelatedSubject { SubjectToken = Token(random), Relation = Relation.Sibling });
        record.Minor = random.Next(2) == 0;
        record.Source.Corroborations = random.Next(0, 1001);
        record.Tags.Add("wave-" + random.Next(1, 100).ToString(System.Globalization.CultureInfo.InvariantCulture));
        record.Events.Add(new CaseEvent
        {
            Type = EventType.Repatriated,
            Date = new PartialDate { Year = 2024, Month = 4, Day = random.Next(1, 31) },
            Location = new Location { Country = "CN", Region = "CN-JL", Locality = "Tumen", Facility = "Tumen border detention centre" },
            Authority = "PRC Public Security Bureau",
        });
        return record;
    }

    /// <summary>A subject token (base64url of 32 bytes), drawn from <paramref name="random"/>.</summary>
    public static string Token(Random random) => Base64Url.EncodeToString(Drawn(random, 32));

    /// <summary>A request id (32 hex digits), drawn from <paramref name="random"/>.</summary>
    public static string RequestId(Random random) => Convert.ToHexString(Drawn(random, 16));

    private static byte[] Drawn(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>The server's own type of the same record, as it reads it off the wire.</summary>
    public static ServerRecord ServerCopy(CaseRecord record) => ServerRecord.Parser.ParseFrom(record.ToByteArray());
}
