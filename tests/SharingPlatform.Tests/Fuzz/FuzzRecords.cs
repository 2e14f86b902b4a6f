extern alias server;

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
        record.RelatedSubjects.Add(new RelatedSubject { SubjectToken = Records.RandomToken(), Relation = Relation.Sibling });
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

    /// <summary>The server's own type of the same record, as it reads it off the wire.</summary>
    public static ServerRecord ServerCopy(CaseRecord record) => ServerRecord.Parser.ParseFrom(record.ToByteArray());
}
