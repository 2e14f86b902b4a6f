extern alias server;

using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using SharingPlatform.Tests.Infrastructure;
using server::SharingPlatform.Server.Cases;
using ServerRecord = server::SharingPlatform.V1.CaseRecord;

namespace SharingPlatform.Tests.Pseudonymization;

/// <summary>
/// Every kind of identifier, disguised the ways an outside attack did (other scripts' digits, split digit groups,
/// several spaces, one digit at a time, zero-width characters, disguised "@" and "."), inside ordinary narrative:
/// the guard finds it, and the record is refused naming the field and the kind, never the value.
/// </summary>
public sealed class IdentifierGuardPropertyTests
{
    private const int Tests = 1500;

    /// <summary>Zeros of decimal digit blocks: ASCII, full-width, Arabic-Indic, Persian, N'Ko, Devanagari, Bengali, Thai, Mongolian, mathematical bold.</summary>
    private static readonly int[] DigitZeros = [0x30, 0xFF10, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xE50, 0x1810, 0x1D7CE];

    private static readonly string[] ZeroWidth = ["\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u00AD", "\u200E", "\u200F", "\u2066"];

    private static readonly string[] GroupSeparators = [" ", "  ", "   ", "\t", ".", "/", "-", " - ", ". ", "_", "\u00B7", "\u2013", "\u3000"];

    private static readonly string[] Before = [" Contact: ", " The broker gave ", " Reached through ", " 연락처: ", " 联系方式：", " "];

    private static readonly string[] After = [" after dark. ", " (unconfirmed). ", ", the family said. ", " — reported by a broker. ", " 이다. ", "。"];

    /// <summary>One identifier as its digit groups, with what stands before (a plus, letters) and after (an X), and its kind.</summary>
    private sealed record Identifier(string Kind, string Prefix, string[] Groups, string Suffix);

    /// <summary>How an identifier is disguised.</summary>
    private sealed record Disguise(int DigitZero, string Separator, bool OneDigitAtATime, int ZeroWidthEvery, bool WidePrefix);

    private sealed record Sample(string Kind, string Text, string Disguised);

    private static Gen<string> Digits(int count, char firstFrom = '0') =>
        from first in Gen.Choose(firstFrom - '0', 9)
        from rest in Gen.ArrayOf(Gen.Choose(0, 9), count - 1)
        select first.ToString(CultureInfo.InvariantCulture) + string.Concat(rest);

    private static Gen<Identifier> ChineseMobile =>
        from second in Gen.Choose(3, 9)
        from rest in Digits(9)
        from country in Gen.Elements("", "+86", "0086")
        let number = "1" + second + rest
        select new Identifier("PHONE_NUMBER", country.StartsWith('+') ? "+" : "",
            [.. (country.Length > 0 ? new[] { country.TrimStart('+') } : []), number[..3], number[3..7], number[7..]], "");

    private static Gen<Identifier> KoreanMobile =>
        from rest in Digits(8)
        from international in Gen.Elements(true, false)
        select international
            ? new Identifier("PHONE_NUMBER", "+", ["82", "10", rest[..4], rest[4..]], "")
            : new Identifier("PHONE_NUMBER", "", ["010", rest[..4], rest[4..]], "");

    private static Gen<Identifier> ChineseLandline =>
        from area in Gen.OneOf(Digits(2, '1'), Digits(3, '1'))
        from local in Gen.OneOf(Digits(7, '2'), Digits(8, '2'))
        select new Identifier("PHONE_NUMBER", "", ["0" + area, local[..3], local[3..]], "");

    private static Gen<Identifier> InternationalPhone =>
        from country in Gen.Elements("1", "44", "66", "81", "850", "856", "976")
        from number in Gen.OneOf(Digits(8, '1'), Digits(9, '1'), Digits(10, '1'))
        select new Identifier("PHONE_NUMBER", "+", [country, number[..2], number[2..5], number[5..]], "");

    private static Gen<Identifier> ResidentId =>
        from region in Digits(6, '1')
        from year in Gen.Choose(1940, 2010)
        from month in Gen.Choose(1, 12)
        from day in Gen.Choose(1, 28)
        from sequence in Digits(3)
        from check in Gen.Elements("0", "3", "7", "9", "X", "x")
        from split in Gen.Elements(true, false)
        let birth = string.Create(CultureInfo.InvariantCulture, $"{year:D4}{month:D2}{day:D2}")
        select check is "X" or "x"
            ? new Identifier("RESIDENT_ID_NUMBER", "", split ? [region, birth, sequence] : [region + birth + sequence], check)
            : new Identifier("RESIDENT_ID_NUMBER", "", split ? [region, birth, sequence + check] : [region + birth + sequence + check], "");

    private static Gen<Identifier> Passport =>
        from letters in Gen.Elements("E", "G", "M", "P", "EA", "PE")
        from number in Digits(letters.Length == 1 ? 8 : 7)
        from joined in Gen.Elements("", " ", "-")
        select new Identifier("PASSPORT_NUMBER", letters + joined, [number[..4], number[4..]], "");

    private static Gen<Identifier> Numbers => Gen.OneOf(ChineseMobile, KoreanMobile, ChineseLandline, InternationalPhone, ResidentId, Passport);

    private static Gen<Disguise> Disguises =>
        from zero in Gen.Elements(DigitZeros)
        from separator in Gen.Elements(GroupSeparators)
        from oneAtATime in Gen.Elements(true, false, false, false)
        from zeroWidth in Gen.Elements(0, 0, 1, 2, 3)
        from wide in Gen.Elements(true, false)
        select new Disguise(zero, separator, oneAtATime, zeroWidth, wide);

    private static Gen<(string Before, string After)> Narrative =>
        from before in Gen.Elements(OrdinaryNarrativeTests.Corpus)
        from lead in Gen.Elements(Before)
        from trail in Gen.Elements(After)
        from after in Gen.Elements(OrdinaryNarrativeTests.Corpus)
        select (before + lead, trail + after);

    private static Gen<Sample> DisguisedNumbers =>
        from identifier in Numbers
        from disguise in Disguises
        from narrative in Narrative
        let disguised = Render(identifier, disguise)
        select new Sample(identifier.Kind, narrative.Before + disguised + narrative.After, disguised);

    private static Gen<Sample> DisguisedEmails =>
        from local in Gen.Elements("mira.kim", "hyeok94", "rescue.desk", "j.park", "sunok")
        from domain in Gen.Elements("example", "mail-relay", "naver", "qq", "proton")
        from top in Gen.Elements("org", "com", "net", "kr", "cn")
        from at in Gen.Elements("@", "＠", " @ ", "(at)", " (at) ", "[at]", " [ at ] ", "﹫", " at ")
        from dot in Gen.Elements(".", "(dot)", " (dot) ", "[dot]", " dot ")
        from wide in Gen.Elements(true, false)
        from zeroWidth in Gen.Elements(0, 2, 3)
        from narrative in Narrative
        let plain = local + at + domain + dot + top
        let disguised = Sprinkle(wide ? Wide(plain) : plain, zeroWidth)
        select new Sample("EMAIL_ADDRESS", narrative.Before + disguised + narrative.After, disguised);

    private static Gen<Sample> DisguisedBirthDates =>
        from template in Gen.Elements(
            "born {D} March {Y}", "born on March {D}, {Y}", "b. {DD}/{MM}/{Y}", "DOB {DD}.{MM}.{Y}", "date of birth: {Y}-{MM}-{DD}",
            "D.O.B. {DD}-{MM}-{Y}", "생년월일 {Y}년 {M}월 {D}일", "{YY}년 {M}월 {D}일생", "{Y}年{M}月{D}日出生", "出生于{Y}年{M}月", "生日：{M}月{D}日")
        from year in Gen.Choose(1950, 2012)
        from month in Gen.Choose(1, 12)
        from day in Gen.Choose(1, 28)
        from zero in Gen.Elements(DigitZeros)
        from spaces in Gen.Elements(" ", "  ", "   ")
        from oneAtATime in Gen.Elements(true, false)
        from zeroWidth in Gen.Elements(0, 2, 4)
        from narrative in Narrative
        let date = template
            .Replace("{YY}", (year % 100).ToString("D2", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{Y}", year.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{MM}", month.ToString("D2", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{M}", month.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{DD}", day.ToString("D2", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{D}", day.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace(" ", spaces, StringComparison.Ordinal)
        let disguised = Sprinkle(ToScript(oneAtATime ? SpaceDigits(date) : date, zero), zeroWidth)
        select new Sample("BIRTH_DATE", narrative.Before + disguised + narrative.After, disguised);

    private static Gen<Sample> DisguisedHandles =>
        from app in Gen.Elements("KakaoTalk", "Kakao Talk", "카톡", "카카오톡", "WeChat", "微信", "WhatsApp", "Telegram", "LINE", "Signal")
        from name in Gen.Elements("mira", "hyeok", "sunok", "parkj", "rescue")
        from tail in Gen.Elements("_94", "07", "_k", ".42", "_2")
        from marker in Gen.Elements(": ", " ID: ", " id: ", " @", "：", " 아이디: ", "号：")
        from wide in Gen.Elements(true, false)
        from zeroWidth in Gen.Elements(0, 2)
        from narrative in Narrative
        let disguised = Sprinkle(wide ? Wide(app + marker + name + tail) : app + marker + name + tail, zeroWidth)
        select new Sample("MESSAGING_HANDLE", narrative.Before + disguised + narrative.After, disguised);

    private static Gen<Sample> SpelledPhones =>
        from second in Gen.Choose(3, 9)
        from rest in Digits(9)
        from language in Gen.Elements("en", "ko", "zh")
        from separator in Gen.Elements(" ", "-", ", ", "  ")
        from zeroWidth in Gen.Elements(0, 2)
        from narrative in Narrative
        let number = "1" + second + rest
        let disguised = Sprinkle(Spell(number, language, separator), zeroWidth)
        select new Sample("PHONE_NUMBER", narrative.Before + disguised + narrative.After, disguised);

    [Fact]
    public void Disguised_phone_id_and_passport_numbers_in_narratives_are_found_with_their_kind() =>
        Check(DisguisedNumbers);

    [Fact]
    public void Disguised_email_addresses_in_narratives_are_found() => Check(DisguisedEmails);

    [Fact]
    public void Disguised_birth_dates_in_narratives_are_found() => Check(DisguisedBirthDates);

    [Fact]
    public void Messaging_handles_after_the_app_name_are_found() => Check(DisguisedHandles);

    [Fact]
    public void Phone_numbers_spelled_in_english_korean_or_chinese_words_are_found() => Check(SpelledPhones);

    [Fact]
    public void A_phone_number_split_inside_a_tag_is_refused_naming_the_tag_and_the_kind() =>
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(Tests), Prop.ForAll(
            (from number in Gen.OneOf(ChineseMobile, KoreanMobile)
             from separator in Gen.Elements("-", "_")
             from oneAtATime in Gen.Elements(true, false)
             from word in Gen.Elements("broker", "tel", "p", "")
             select (word.Length > 0 ? word + separator : "") + string.Join(separator, Pieces(number, oneAtATime))).ToArbitrary(),
            tag =>
            {
                var record = ServerCopy(Records.Valid("tenants/demo/cases/tag"));
                record.Tags.Add(tag);
                var violation = CaseValidator.Validate(record, TimeProvider.System);
                return violation is { Field: "tags[1]", Reason: "PHONE_NUMBER" }
                    && !violation.ToString().Contains(tag, StringComparison.Ordinal);
            }));

    /// <summary>Find names the kind; the record carrying the text is refused on its narrative, and nothing of the value comes back.</summary>
    private static void Check(Gen<Sample> samples) =>
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(Tests), Prop.ForAll(samples.ToArbitrary(), sample =>
        {
            if (IdentifierGuard.Find(sample.Text) != sample.Kind)
            {
                return false;
            }

            var record = ServerCopy(Records.Valid("tenants/demo/cases/sample"));
            record.Narrative = sample.Text;
            var violation = CaseValidator.Validate(record, TimeProvider.System);
            var said = violation?.ToString() ?? "";
            return violation is { Field: "narrative" } && violation.Reason == sample.Kind
                && !said.Contains(sample.Disguised.Trim(), StringComparison.Ordinal)
                && !said.Any(char.IsDigit);
        }));

    private static ServerRecord ServerCopy(SharingPlatform.V1.CaseRecord record) => ServerRecord.Parser.ParseFrom(record.ToByteArray());

    private static IEnumerable<string> Pieces(Identifier identifier, bool oneAtATime) =>
        oneAtATime ? identifier.Groups.SelectMany(g => g.Select(c => c.ToString())) : identifier.Groups;

    private static string Render(Identifier identifier, Disguise disguise)
    {
        var digits = string.Join(disguise.Separator, Pieces(identifier, disguise.OneDigitAtATime));
        var prefix = disguise.WidePrefix ? Wide(identifier.Prefix) : identifier.Prefix;
        var suffix = identifier.Suffix.Length > 0 && disguise.OneDigitAtATime ? disguise.Separator + identifier.Suffix : identifier.Suffix;
        return Sprinkle(prefix + ToScript(digits, disguise.DigitZero) + suffix, disguise.ZeroWidthEvery);
    }

    /// <summary>Digits spelled one at a time: <c>1994</c> becomes <c>1 9 9 4</c>.</summary>
    private static string SpaceDigits(string text)
    {
        var spaced = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            spaced.Append(text[i]);
            if (i + 1 < text.Length && char.IsAsciiDigit(text[i]) && char.IsAsciiDigit(text[i + 1]))
            {
                spaced.Append(' ');
            }
        }

        return spaced.ToString();
    }

    private static string ToScript(string text, int zero)
    {
        var written = new StringBuilder();
        foreach (var c in text)
        {
            written.Append(char.IsAsciiDigit(c) ? char.ConvertFromUtf32(zero + (c - '0')) : c.ToString());
        }

        return written.ToString();
    }

    /// <summary>Full-width forms of ASCII letters, digits and signs.</summary>
    private static string Wide(string text) =>
        string.Concat(text.Select(c => c is > ' ' and <= '~' ? ((char)(c - 0x21 + 0xFF01)).ToString() : c.ToString()));

    /// <summary>A zero-width character after every <paramref name="every"/>-th character (none for 0).</summary>
    private static string Sprinkle(string text, int every)
    {
        if (every == 0)
        {
            return text;
        }

        var sprinkled = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            sprinkled.Append(text[i]);
            if (i % every == every - 1 && !char.IsHighSurrogate(text[i]))
            {
                sprinkled.Append(ZeroWidth[i % ZeroWidth.Length]);
            }
        }

        return sprinkled.ToString();
    }

    private static string Spell(string number, string language, string separator)
    {
        string[] words = language switch
        {
            "en" => ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
            "ko" => ["공", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"],
            _ => ["〇", "幺", "二", "三", "四", "五", "六", "七", "八", "九"],
        };
        string[] groups = [number[..3], number[3..7], number[7..]];
        return language == "en"
            ? string.Join(separator, number.Select(c => words[c - '0']))
            : string.Join(separator, groups.Select(g => string.Concat(g.Select(c => words[c - '0']))));
    }
}
