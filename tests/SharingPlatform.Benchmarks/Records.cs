using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using SharingPlatform.V1;

namespace SharingPlatform.Benchmarks;

/// <summary>Valid synthetic records of about 1 KB, the size the design's performance budget is stated for.</summary>
internal static class Records
{
    public const string Parent = "tenants/nkdb-demo";

    // Plain words without digits, so that no identifier check on the narrative can ever trip.
    private static readonly string[] Words =
    [
        "arrested", "near", "the", "river", "crossing", "detained", "at", "border", "post", "witness", "reports",
        "family", "informed", "later", "transferred", "to", "detention", "centre", "with", "others", "night",
        "police", "searched", "house", "broker", "contact", "lost", "after", "interrogation", "held", "several",
        "weeks", "before", "handed", "over", "source", "confirmed", "account", "by", "telephone", "relative",
    ];

    public static string Name(int index) => $"{Parent}/cases/b-{index}";

    public static CaseRecord Create(int index)
    {
        var record = new CaseRecord
        {
            Name = Name(index),
            SubjectToken = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)),
            Status = CaseStatus.Detained,
            Classification = Classification.Restricted,
            ConsentScope = ConsentScope.Partners,
            Narrative = Narrative(index),
        };
        record.Events.Add(new CaseEvent
        {
            Type = EventType.Arrested,
            Date = new PartialDate { Year = 2024, Month = 3 },
            Location = new Location { Country = "CN", Region = "CN-LN", Locality = "Dandong" },
        });
        return record;
    }

    public static PushCasesRequest Batch(int first, int count)
    {
        var request = new PushCasesRequest { Parent = Parent, RequestId = Guid.NewGuid().ToString("N") };
        for (var i = first; i < first + count; i++)
        {
            request.Records.Add(Create(i));
        }

        return request;
    }

    private static string Narrative(int index)
    {
        // Vary the text per record (a repeated constant would compress and cache unrealistically well).
        var text = new StringBuilder(820);
        var word = index;
        while (text.Length < 800)
        {
            text.Append(Words[word % Words.Length]).Append(' ');
            word = ((word * 31) + 7) & int.MaxValue;
        }

        return text.ToString(0, 800).TrimEnd();
    }
}
