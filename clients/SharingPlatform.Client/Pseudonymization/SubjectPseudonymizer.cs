using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SharingPlatform.Client.Pseudonymization;

/// <summary>
/// Turns a person's identifiers into a subject token: HMAC-SHA256 with the consortium linkage key over
/// <c>v1|family|given|birth date|sex|county</c> after normalization, base64url without padding. Two partners who
/// write the same person differently ("Choi Mi-ra", "최미라", "CHOE MIRA") get the same token; without the key,
/// the token cannot be tested against a list of names.
/// </summary>
public sealed class SubjectPseudonymizer(LinkageKey key)
{
    public const string Version = "v1";

    public string Token(PersonIdentifiers person) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(key.Bytes, Encoding.UTF8.GetBytes(Canonical(person))));

    /// <summary>
    /// Sets the record's subject token and reduces the birth date to its year: the only birth data that leaves
    /// the partner's machine.
    /// </summary>
    public void Apply(V1.CaseRecord record, PersonIdentifiers person)
    {
        record.SubjectToken = Token(person);
        record.BirthYear = person.BirthDate?.Year ?? 0;
    }

    /// <summary>The normalized string that is hashed; exposed for tests and audits of the normalization, never sent.</summary>
    public static string Canonical(PersonIdentifiers person) => string.Join('|',
        Version,
        FamilyName(person.FamilyName),
        GivenName(person.GivenName),
        person.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
        Sex(person.Sex),
        Letters(Fold(person.HomeCounty)));

    /// <summary>The canonical Hangul surname when known; otherwise the folded letters as given.</summary>
    public static string FamilyName(string name)
    {
        var folded = Fold(name);
        var letters = Letters(folded);
        return KoreanSurnames.Canonical(letters) ?? KoreanSurnames.Canonical(folded.Replace(" ", "", StringComparison.Ordinal)) ?? letters;
    }

    /// <summary>The given name in Revised Romanization, lower case, letters only: 미라, Mi-ra and MIRA all give <c>mira</c>.</summary>
    public static string GivenName(string name) => Letters(RevisedRomanization.Romanize(Fold(name)));

    private static string Sex(string sex) => Fold(sex) switch
    {
        "f" or "female" or "여" or "여자" or "女" => "f",
        "m" or "male" or "남" or "남자" or "男" => "m",
        _ => "",
    };

    /// <summary>NFKC (full-width and compatibility forms to plain ones), lower case, white space collapsed.</summary>
    private static string Fold(string text) =>
        string.Join(' ', text.Normalize(NormalizationForm.FormKC).ToLowerInvariant()
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Letters only (hyphens, spaces, apostrophes and dots dropped), in composed form.</summary>
    private static string Letters(string text) =>
        new string([.. text.Where(char.IsLetter)]).Normalize(NormalizationForm.FormC);
}
