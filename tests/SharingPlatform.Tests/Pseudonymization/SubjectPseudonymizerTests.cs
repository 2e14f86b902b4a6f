using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SharingPlatform.Client.Pseudonymization;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Pseudonymization;

public sealed class SubjectPseudonymizerTests
{
    private static readonly PersonIdentifiers MiraHangul = new("최", "미라", new DateOnly(1994, 3, 15), "F");

    public static TheoryData<string, string> SameSurname => new()
    {
        { "최", "Choi" }, { "최", "Choe" }, { "최", "CHWE" }, { "이", "Lee" }, { "이", "Yi" }, { "이", "Rhee" }, { "이", "Ri" },
        { "이", "리" }, { "김", "Kim" }, { "김", "Gim" }, { "박", "Park" }, { "박", "Pak" }, { "박", "Bak" }, { "정", "Jung" },
        { "정", "Jeong" }, { "정", "Chung" }, { "강", "Kang" }, { "강", "Gang" }, { "조", "Cho" }, { "조", "Jo" },
        { "윤", "Yoon" }, { "윤", "Yun" }, { "장", "Jang" }, { "장", "Chang" }, { "임", "Lim" }, { "임", "Im" }, { "임", "림" },
        { "한", "Han" }, { "신", "Shin" }, { "신", "Sin" }, { "노", "Roh" }, { "노", "로" }, { "유", "류" }, { "유", "Yoo" },
        { "김", " kim " }, { "김", "Ｋｉｍ" },
    };

    public static TheoryData<string, string> SameGivenName => new()
    {
        { "미라", "Mi-ra" }, { "미라", "MIRA" }, { "미라", "mi ra" }, { "영희", "Yeong-hui" }, { "철수", "Cheol Su" },
        { "철수", "철 수" }, { "은정", "Eun-jeong" }, { "ＭＩＲＡ", "mira" },
    };

    [Theory]
    [MemberData(nameof(SameSurname))]
    public void Surname_spellings_meet_on_one_hangul_form(string canonical, string spelling) =>
        Assert.Equal(canonical, SubjectPseudonymizer.FamilyName(spelling));

    [Theory]
    [MemberData(nameof(SameGivenName))]
    public void Given_names_in_hangul_and_revised_romanization_meet(string a, string b) =>
        Assert.Equal(SubjectPseudonymizer.GivenName(a), SubjectPseudonymizer.GivenName(b));

    [Fact]
    public void Different_people_get_different_tokens_and_the_same_person_the_same_token()
    {
        var pseudonymizer = new SubjectPseudonymizer(LinkageKey.Create());

        var hangul = pseudonymizer.Token(MiraHangul);
        var romanized = pseudonymizer.Token(new PersonIdentifiers("Choi", "Mi-ra", new DateOnly(1994, 3, 15), "female"));
        var otherDay = pseudonymizer.Token(MiraHangul with { BirthDate = new DateOnly(1994, 3, 16) });
        var otherName = pseudonymizer.Token(MiraHangul with { GivenName = "미란" });

        Assert.Equal(hangul, romanized);
        Assert.NotEqual(hangul, otherDay);
        Assert.NotEqual(hangul, otherName);
    }

    [Fact]
    public void Tokens_depend_on_the_linkage_key()
    {
        var first = new SubjectPseudonymizer(LinkageKey.Create()).Token(MiraHangul);
        var second = new SubjectPseudonymizer(LinkageKey.Create()).Token(MiraHangul);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Fixed_vectors_still_give_the_same_canonical_form_and_token()
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Pseudonymization", "subject-token-vectors.json"), TestContext.Current.CancellationToken));
        var pseudonymizer = new SubjectPseudonymizer(LinkageKey.FromBytes(Convert.FromHexString(document.RootElement.GetProperty("key_hex").GetString()!)));
        var count = 0;

        foreach (var vector in document.RootElement.GetProperty("vectors").EnumerateArray())
        {
            var birth = vector.GetProperty("birth").GetString()!;
            var person = new PersonIdentifiers(
                vector.GetProperty("family").GetString()!,
                vector.GetProperty("given").GetString()!,
                birth.Length == 0 ? null : DateOnly.ParseExact(birth, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                vector.GetProperty("sex").GetString()!,
                vector.GetProperty("county").GetString()!);

            if (vector.TryGetProperty("refused", out var refused) && refused.GetBoolean())
            {
                // Text that cannot be normalized (U+FFFE) gives no token at all.
                Assert.Throws<ArgumentException>(() => pseudonymizer.Token(person));
            }
            else
            {
                Assert.Equal(vector.GetProperty("canonical").GetString(), SubjectPseudonymizer.Canonical(person));
                Assert.Equal(vector.GetProperty("token").GetString(), pseudonymizer.Token(person));
            }

            count++;
        }

        // Vectors are added, never removed: fewer than the 50 of December 2026 means the file is not the shared one.
        Assert.True(count >= 50, $"only {count} vectors read");
    }

    [Fact]
    public void Apply_sends_the_token_and_the_birth_year_only()
    {
        var record = new CaseRecord();

        new SubjectPseudonymizer(LinkageKey.Create()).Apply(record, MiraHangul);

        Assert.Equal(43, record.SubjectToken.Length);
        // Nothing else is set: no month, day or name travels with the record.
        Assert.Equal(new CaseRecord { SubjectToken = record.SubjectToken, BirthYear = 1994 }, record);
    }

    [Fact]
    public void Linkage_key_files_are_owner_only_and_round_trip()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".key");
        var key = LinkageKey.Create();
        try
        {
            key.Save(path);
            var loaded = LinkageKey.Load(path);

            Assert.Equal(new SubjectPseudonymizer(key).Token(MiraHangul), new SubjectPseudonymizer(loaded).Token(MiraHangul));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }

            Assert.Throws<IOException>(() => key.Save(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The dictionary attack DESIGN section 5 forbids: unkeyed hashes of names and dates match nothing the server stores.</summary>
    [Fact]
    public void Plain_hashes_of_names_and_dates_match_no_token()
    {
        var people = new[]
        {
            MiraHangul, new PersonIdentifiers("Choi", "Mi-ra", new DateOnly(1994, 3, 15), "F"),
            new PersonIdentifiers("리", "영희", new DateOnly(1987, 11, 2), "F"), new PersonIdentifiers("Kim", "Cheol-su", new DateOnly(2009, 6, 30), "M"),
        };
        var pseudonymizer = new SubjectPseudonymizer(LinkageKey.Create());
        var tokens = people.Select(pseudonymizer.Token).ToHashSet();

        foreach (var person in people)
        {
            var date = person.BirthDate!.Value;
            foreach (var guess in new[]
            {
                SubjectPseudonymizer.Canonical(person), $"{person.FamilyName} {person.GivenName} {date:yyyy-MM-dd}",
                $"{person.FamilyName}{person.GivenName}{date:yyyyMMdd}", $"{person.FamilyName}|{person.GivenName}|{date:yyyy-MM-dd}",
                $"{SubjectPseudonymizer.FamilyName(person.FamilyName)}|{SubjectPseudonymizer.GivenName(person.GivenName)}|{date:yyyy-MM-dd}",
            })
            {
                var plain = SHA256.HashData(Encoding.UTF8.GetBytes(guess));
                Assert.DoesNotContain(Base64Url.EncodeToString(plain), tokens);
                Assert.DoesNotContain(Convert.ToHexStringLower(plain), tokens);
            }
        }
    }
}
