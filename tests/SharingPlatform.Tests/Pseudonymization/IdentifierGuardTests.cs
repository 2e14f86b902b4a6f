extern alias server;

using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Cases;

namespace SharingPlatform.Tests.Pseudonymization;

/// <summary>What the ingest guard refuses in free text, and what it must let through.</summary>
public sealed class IdentifierGuardTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    public static TheoryData<string, string> Identifiers => new()
    {
        { "Her sister wrote from mira.kim@example.org last week.", "EMAIL_ADDRESS" },
        { "Broker reachable on 138 0013 8000.", "PHONE_NUMBER" },
        { "Call +86-139-1234-5678 after dark.", "PHONE_NUMBER" },
        { "Family in Seoul: 010-1234-5678.", "PHONE_NUMBER" },
        { "Office line 02-123-4567.", "PHONE_NUMBER" },
        { "Dandong contact 0415-1234567.", "PHONE_NUMBER" },
        { "Number +850 2 381 8111 was used.", "PHONE_NUMBER" },
        { "Papers with number 21010219900307123X were seized.", "RESIDENT_ID_NUMBER" },
        { "Travelled on passport E12345678.", "PASSPORT_NUMBER" },
        { "Korean passport M87654321 issued later.", "PASSPORT_NUMBER" },
        { "Citizen card 654321987 recorded.", "ID_NUMBER" },
        { "She was born 15 March 1994 in Hyesan.", "BIRTH_DATE" },
        { "DOB: 1994-03-15.", "BIRTH_DATE" },
        { "Born in March 1994.", "BIRTH_DATE" },
        { "생년월일 1994년 3월 15일", "BIRTH_DATE" },
        { "1994年3月出生于惠山", "BIRTH_DATE" },
        { "出生于1994年3月", "BIRTH_DATE" },
    };

    public static TheoryData<string> CleanTexts => new()
    {
        "Arrested with 4 others at Dandong bus station on 2024-03-14; repatriated in October 2023 with about 500 people.",
        "Born 1994 in North Hamgyong; detained at Tumen border defence detention centre (CN-JL).",
        "Held 18 months; transferred 2 times; case reference demo-00042.",
        "Mother said she was 17 at the time.",
        "Kyo-hwa-so No. 12, Jongori.",
    };

    [Theory]
    [MemberData(nameof(Identifiers))]
    public void Each_kind_of_identifier_is_found(string text, string kind) => Assert.Equal(kind, IdentifierGuard.Find(text));

    [Theory]
    [MemberData(nameof(CleanTexts))]
    public void Ordinary_documentation_passes(string text) => Assert.Null(IdentifierGuard.Find(text));

    [Fact]
    public async Task A_push_is_rejected_per_record_naming_field_and_kind_never_the_value()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var narrative = Records.Valid(client.CaseName("narrative"));
        narrative.Narrative = "Broker reachable on 138 0013 8000.";
        var facility = Records.Valid(client.CaseName("facility"));
        facility.Events[0].Location.Facility = "Cell of mira.kim@example.org";
        var tag = Records.Valid(client.CaseName("tag"));
        tag.Tags.Add("13800138000");
        var clean = Records.Valid(client.CaseName("clean"));

        var results = (await connection.Cases.PushCasesAsync(Records.Push(client, narrative, facility, tag, clean))).Results;

        Assert.Equal(("narrative", "PHONE_NUMBER"), (results[0].Violation.Field, results[0].Violation.Reason));
        Assert.Equal(("events[0].location.facility", "EMAIL_ADDRESS"), (results[1].Violation.Field, results[1].Violation.Reason));
        Assert.Equal("tags[1]", results[2].Violation.Field);
        Assert.Equal(PushOutcome.Created, results[3].Outcome);
        Assert.All(results.Take(3), r =>
        {
            Assert.Equal(PushOutcome.Rejected, r.Outcome);
            Assert.DoesNotContain("138", r.Violation.Description, StringComparison.Ordinal);
            Assert.DoesNotContain("mira", r.Violation.Description, StringComparison.Ordinal);
        });
    }
}
