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
        { "\u09E7.\u09EC\u200D.\u09ED.\u00AD\u09EF.\u09E8\u2066.\u09E6.\u200D\u09E9.\u09EC\u00AD.\u09EC.\u2066\u09E6.\u09E9\u200D", "PHONE_NUMBER" },
    };

    /// <summary>
    /// A number written one digit at a time with dots, next to a year that ends a sentence (<c>in 2024. 1.3.8.1...</c>):
    /// the year and the first digits must not read as a date that takes digits from the number. The first ones are the
    /// samples the property test failed on (about one run in fifteen); the last ones, found while reading those, were let
    /// through before: nine or ten digits lose two to the date, and the mirror form loses its last digit to a month-year.
    /// </summary>
    public static TheoryData<string, string> NextToAYearEndingASentence => new()
    {
        { "Born 1994 in North Hamgyong; arrested in March 2024. \u09E7.\u09EC\u200D.\u09ED.\u00AD\u09EF.\u09E8\u2066.\u09E6.\u200D\u09E9.\u09EC\u00AD.\u09EC.\u2066\u09E6.\u09E9\u200D \u2014 reported by a broker. 2024. 3. 15. 선양에서 체포, 2024. 4. 26. 북송.", "PHONE_NUMBER" },
        { "Source graded B2; corroborated by 3 witnesses in 2024. \u0666.\u0666.\u0662.\u0669.\u0662.\u0664.\u0662.\u0660.\u0660.\u0663.\u0660.\u0664.\u0661.\u0667.\u0663.\u0662.\u0667.X, the family said. Arrested on 15 March 2024 in Shenyang with two others.", "RESIDENT_ID_NUMBER" },
        { "Signal was lost near the border; her KakaoTalk messages stopped in 2023. \u0661.\u200C\u0664.\u2060\u0664.\u00AD\u0669.\u200F\u0662.\u200B\u0669.\u200D\u0663.\uFEFF\u0667.\u200E\u0662.\u2066\u0663.\u200C\u0662, the family said. Tags were checked against the 2024 list: 14 matches, 3 new.", "PHONE_NUMBER" },
        { "Born 1994 in North Hamgyong; arrested in March 2024. 1.7\u200D.9.\u00AD6.9\u2066.0.\u200D5.1\u00AD.5.\u20665.1\u200D after dark. Sent back in the April 2024 wave (50-200 people reported).", "PHONE_NUMBER" },
        { "Signal was lost near the border; her KakaoTalk messages stopped in 2023. \u0E51.\u0E52.\u0E57.\u0E55.\u0E53.\u0E56.\u0E51.\u0E59.\u0E55.\u0E54.\u0E51.\u0E51.\u0E51.\u0E57.\u0E51.\u0E52.\u0E59.\u0E50 \u2014 reported by a broker. Travelled 1,200 km from Shenyang to Kunming in 4 days.", "RESIDENT_ID_NUMBER" },
        { "Born 1994 in North Hamgyong; arrested in March 2024. \uD835\uDFD0\u200C.\u200D\uD835\uDFD3\uFEFF.\u00AD\uD835\uDFD7\u200F.\u2066\uD835\uDFD3\u200C.\u200D\uD835\uDFD7\uFEFF.\u00AD\uD835\uDFCF\u200F.\u2066\uD835\uDFD0\u200C.\u200D\uD835\uDFCE\uFEFF.\u00AD\uD835\uDFCE\u200F.\u2066\uD835\uDFCE\u200C.\u200D\uD835\uDFCE\uFEFF.\u00AD\uD835\uDFD6\u200F.\u2066\uD835\uDFCE\u200C.\u200D\uD835\uDFD6\uFEFF.\u00AD\uD835\uDFD2\u200F.\u2066\uD835\uDFD2\u200C.\u200D\uD835\uDFD5\uFEFF.\u00AD\uD835\uDFD1\u200F 이다. Case reference demo-00042, cross-checked with two sources.", "RESIDENT_ID_NUMBER" },
        { "Crossed in 2017, arrested 2019, repatriated 2020. 1.3.8.1.2.3.4.5.6.7.8 after dark.", "PHONE_NUMBER" },
        { "Arrested in March 2024. \u0661.\u0662.\u0663.\u0664.\u0665.\u0666.\u0667.\u0668.\u0669 after dark.", "ID_NUMBER" },
        { "Arrested in March 2024. 1.2.3.4.5.6.7.8.9.0 after dark.", "ID_NUMBER" },
        { "Her card number was \u0661.\u0662.\u0663.\u0664.\u0665.\u0666.\u0667.\u0668.\u0669. 2024 was the last year she used it.", "ID_NUMBER" },
        { "The broker's number was 1.3.8.1.2.3.4.5.6.7.8. 2024 was the last year it answered.", "PHONE_NUMBER" },
        { "Her card number was 1_2_3_4_5_6_7_8_9. 2024 was the last year she used it.", "ID_NUMBER" },
        { "Her card number was 1 2 3 4 5 6 7 8 9. 2024 was the last year she used it.", "ID_NUMBER" },
        { "Arrested in March 2024. 1. 2.3.4.5.6.7.8.9.0 after dark.", "ID_NUMBER" },
    };

    [Theory]
    [MemberData(nameof(Evasions))]
    public void Evasive_forms_are_found_with_their_kind(string text, string kind) => Assert.Equal(kind, IdentifierGuard.Find(text));

    [Theory]
    [MemberData(nameof(NextToAYearEndingASentence))]
    public void A_number_written_one_digit_at_a_time_next_to_a_year_ending_a_sentence_is_found_with_its_kind(string text, string kind) =>
        Assert.Equal(kind, IdentifierGuard.Find(text));

    [Fact]
    public async Task A_number_written_one_digit_at_a_time_after_a_year_ending_a_sentence_is_rejected_naming_field_and_kind_never_the_value()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var after = Records.Valid(client.CaseName("after-year"));
        after.Narrative = "Arrested in March 2024. \u0661.\u0662.\u0663.\u0664.\u0665.\u0666.\u0667.\u0668.\u0669 after dark.";
        var before = Records.Valid(client.CaseName("before-year"));
        before.Narrative = "Her card number was \u0661.\u0662.\u0663.\u0664.\u0665.\u0666.\u0667.\u0668.\u0669. 2024 was the last year she used it.";

        var results = (await connection.Cases.PushCasesAsync(Records.Push(client, after, before))).Results;

        Assert.Equal(2, results.Count);
        Assert.All(results, r =>
        {
            Assert.Equal(PushOutcome.Rejected, r.Outcome);
            Assert.Equal(("narrative", "ID_NUMBER"), (r.Violation.Field, r.Violation.Reason));
            Assert.DoesNotContain(r.Violation.ToString(), char.IsDigit);
        });
    }

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
