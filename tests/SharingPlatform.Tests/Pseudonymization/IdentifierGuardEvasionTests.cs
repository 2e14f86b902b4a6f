extern alias server;

using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Cases;

namespace SharingPlatform.Tests.Pseudonymization;

/// <summary>
/// The forms an outside attack used to slip identifiers past the ingest guard (issue 13, item 4), and the messaging
/// handles and spelled-out numbers it now catches too.
/// </summary>
public sealed class IdentifierGuardEvasionTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    public static TheoryData<string, string> Evasions => new()
    {
        { "Broker reachable on １３８１２３４５６７８ after dark.", "PHONE_NUMBER" },
        { "Broker reachable on ١٣٨١٢٣٤٥٦٧٨ after dark.", "PHONE_NUMBER" },
        { "Broker reachable on ۱۳۸۱۲۳۴۵۶۷۸ after dark.", "PHONE_NUMBER" },
        { "Broker reachable on 138.1234.5678 after dark.", "PHONE_NUMBER" },
        { "Broker reachable on 138/1234/5678 after dark.", "PHONE_NUMBER" },
        { "Broker reachable on 138 - 1234 - 5678 after dark.", "PHONE_NUMBER" },
        { "Broker reachable on 138   1234   5678 after dark.", "PHONE_NUMBER" },
        { "Broker reachable on 1 3 8 1 2 3 4 5 6 7 8 after dark.", "PHONE_NUMBER" },
        { "Broker reachable on 1.3.8.1.2.3.4.5.6.7.8 after dark.", "PHONE_NUMBER" },
        { "Broker reachable on 138\u200B1234\u200B5678 after dark.", "PHONE_NUMBER" },
        { "Broker reachable on 1\u20603\u200D8\u00AD1234\uFEFF5678 after dark.", "PHONE_NUMBER" },
        { "Family in Seoul: (010) 1234.5678.", "PHONE_NUMBER" },
        { "Call +86  138  1234  5678 after dark.", "PHONE_NUMBER" },
        { "Her sister wrote from mira.kim＠example.org last week.", "EMAIL_ADDRESS" },
        { "Her sister wrote from mira.kim @ example.org last week.", "EMAIL_ADDRESS" },
        { "Her sister wrote from mira.kim(at)example(dot)org last week.", "EMAIL_ADDRESS" },
        { "Her sister wrote from mira.kim [at] example [dot] org last week.", "EMAIL_ADDRESS" },
        { "Her sister wrote from mira.kim at example dot org last week.", "EMAIL_ADDRESS" },
        { "Her sister wrote from mira.kim at example.org last week.", "EMAIL_ADDRESS" },
        { "Papers with number ２１０１０２１９９００３０７１２３Ｘ were seized.", "RESIDENT_ID_NUMBER" },
        { "Papers with number 210102 19900307 123X were seized.", "RESIDENT_ID_NUMBER" },
        { "Kim Mi-ra, b. 15/03/1994, was held in Tumen.", "BIRTH_DATE" },
        { "DOB 15.03.1994, held in Tumen.", "BIRTH_DATE" },
        { "김미라, 94년 3월 15일생, 투먼에서 체포.", "BIRTH_DATE" },
        { "Travelled on passport E 1234 5678.", "PASSPORT_NUMBER" },
        { "Travelled on passport E-1234-5678.", "PASSPORT_NUMBER" },
        { "Her brother is on KakaoTalk: mirakim.", "MESSAGING_HANDLE" },
        { "카톡 아이디 mira94 로 연락했다.", "MESSAGING_HANDLE" },
        { "Broker's WeChat ID: mira_kim, used in 2023.", "MESSAGING_HANDLE" },
        { "中介微信号：mira_94，已删除。", "MESSAGING_HANDLE" },
        { "Contact via LINE ID: mira.k94.", "MESSAGING_HANDLE" },
        { "Contact via Telegram @mirakim.", "MESSAGING_HANDLE" },
        { "Contact via Signal: mira.42.", "MESSAGING_HANDLE" },
        { "Contact via WhatsApp mira_94.", "MESSAGING_HANDLE" },
        { "Broker reachable on one three eight one two three four five six seven eight.", "PHONE_NUMBER" },
        { "Broker reachable on one-three-eight, one-two-three-four, five-six-seven-eight.", "PHONE_NUMBER" },
        { "브로커 번호는 공일공 일이삼사 오육칠팔 이다.", "PHONE_NUMBER" },
        { "中介电话幺三八一二三四五六七八。", "PHONE_NUMBER" },
        { "中介电话一三八 一二三四 五六七八。", "PHONE_NUMBER" },
        // Found by the property test (seed 11700349366445054140,13385394267537742163): Bengali digits, dots and format
        // characters right after "2024. " read as one longer number, refused as ID_NUMBER.
        { "Born 1994 in North Hamgyong; arrested in March 2024. \u09E7.\u09EC\u200D.\u09ED.\u00AD\u09EF.\u09E8\u2066.\u09E6.\u200D\u09E9.\u09EC\u00AD.\u09EC.\u2066\u09E6.\u09E9\u200D \u2014 reported by a broker. 2024. 3. 15. 선양에서 체포, 2024. 4. 26. 북송.", "ID_NUMBER" },
        { "\u09E7.\u09EC\u200D.\u09ED.\u00AD\u09EF.\u09E8\u2066.\u09E6.\u200D\u09E9.\u09EC\u00AD.\u09EC.\u2066\u09E6.\u09E9\u200D", "PHONE_NUMBER" },
    };

    [Theory]
    [MemberData(nameof(Evasions))]
    public void Evasive_forms_are_found_with_their_kind(string text, string kind) => Assert.Equal(kind, IdentifierGuard.Find(text));

    [Fact]
    public async Task An_obfuscated_phone_number_is_rejected_in_the_narrative_and_in_a_tag_naming_field_and_kind_never_the_value()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var narrative = Records.Valid(client.CaseName("spaced-phone"));
        narrative.Narrative = "Arrested in Dandong. Broker reachable on 1 3 8\u200B1 2 3 4 . 5 6 7 8 after dark.";
        var tag = Records.Valid(client.CaseName("tagged-phone"));
        tag.Tags.Add("broker_138_1234_5678");
        var fullWidth = Records.Valid(client.CaseName("wide-phone"));
        fullWidth.Events[0].Authority = "Officer on １３８ １２３４ ５６７８";

        var results = (await connection.Cases.PushCasesAsync(Records.Push(client, narrative, tag, fullWidth))).Results;

        Assert.Equal(("narrative", "PHONE_NUMBER"), (results[0].Violation.Field, results[0].Violation.Reason));
        Assert.Equal(("tags[1]", "PHONE_NUMBER"), (results[1].Violation.Field, results[1].Violation.Reason));
        Assert.Equal(("events[0].authority", "PHONE_NUMBER"), (results[2].Violation.Field, results[2].Violation.Reason));
        Assert.All(results, r =>
        {
            Assert.Equal(PushOutcome.Rejected, r.Outcome);
            var said = r.Violation.ToString();
            Assert.DoesNotContain("138", said, StringComparison.Ordinal);
            Assert.DoesNotContain("5678", said, StringComparison.Ordinal);
            Assert.DoesNotContain("１３８", said, StringComparison.Ordinal);
            Assert.DoesNotContain("broker", said, StringComparison.Ordinal);
        });
    }
}
