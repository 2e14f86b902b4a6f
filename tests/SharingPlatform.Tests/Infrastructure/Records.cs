using System.Buffers.Text;
using System.Security.Cryptography;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>Valid synthetic records and push requests for tests.</summary>
public static class Records
{
    public static string RandomToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string RequestId() => Guid.NewGuid().ToString("N");

    public static CaseRecord Valid(string name, CaseStatus status = CaseStatus.Detained, string region = "CN-LN", EventType eventType = EventType.Arrested) => new()
    {
        Name = name,
        SubjectToken = RandomToken(),
        Sex = Sex.Female,
        BirthYear = 1994,
        OriginRegion = "KP-09",
        Status = status,
        Classification = Classification.Restricted,
        ConsentScope = ConsentScope.Partners,
        Source = new Source { Type = SourceType.Family, Reliability = Reliability.B, Credibility = 2 },
        Narrative = "Arrested at a bus station with two others.",
        Tags = { "test" },
        Events =
        {
            new CaseEvent
            {
                Type = eventType,
                Date = new PartialDate { Year = 2024, Month = 3 },
                Location = new Location { Country = "CN", Region = region, Locality = "Dandong" },
            },
        },
    };

    public static PushCasesRequest Push(TestClient client, params CaseRecord[] records) =>
        new() { Parent = client.Parent, RequestId = RequestId(), Records = { records } };
}
