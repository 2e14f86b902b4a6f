extern alias server;

using System.Buffers.Text;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using server::SharingPlatform.Server.Access;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Cases;
using server::SharingPlatform.Server.Identity;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>
/// Pull cursors and page tokens in-process, under real server keys: reading any text never throws and refuses it
/// (the empty text aside, which is the start); an issued one reads back as issued, and only for its tenant and query;
/// one altered in any way is refused, unless it still decodes to the very bytes issued (then it reads as the original).
/// </summary>
public sealed class OpaqueTokenFuzzTests : IDisposable
{
    private const long Tenant = 7;
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>Lengths of base64url the server issues (page token 50, cursor 147 or 92, first-version cursor 55) and near them.</summary>
    private static readonly int[] IssuedLengths = [49, 50, 51, 54, 55, 56, 91, 92, 93, 146, 147, 148, 256, 257];

    /// <summary>What a copy and paste, a URL or another base64 can do to a token's text.</summary>
    private static readonly string[] Insertions = [" ", "\t", "\n", "\r\n", "=", "==", "%3D", "+", "/", "\0"];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", Guid.NewGuid().ToString("N"));
    private readonly ServerKeys _keys;

    public OpaqueTokenFuzzTests() => _keys = ServerKeys.Load(_directory, createMissing: true);

    /// <summary>One issued value: a cursor, or a page token with its query and position; and its text.</summary>
    public sealed record Issued(PullCursor? Cursor, ListCasesRequest? Query, long Position, string Text);

    [Fact]
    public void Any_text_is_refused_as_a_cursor_and_as_a_page_token_without_throwing() =>
        FuzzProperty.Check("token-text", FuzzBudget.InProcess(500), AnyText, Shrinks.Text, System.Text.Encoding.UTF8.GetBytes, text =>
            PullCursor.TryParse(text, _keys, Tenant, out var cursor) != (text.Length == 0) || (text.Length == 0 && cursor != PullCursor.Start)
                ? "a cursor read from text the server never issued"
                : PageToken.TryParse(text, _keys, Tenant, new ListCasesRequest(), out var position) != (text.Length == 0) || position != 0
                    ? "a page token read from text the server never issued"
                    : null,
            text => text.Length == 0 ? "empty" : Base64Url.IsValid(text) ? "base64url" : "other");

    [Fact]
    public void An_issued_cursor_or_page_token_reads_back_as_issued_and_only_for_its_tenant_and_query() =>
        FuzzProperty.Check("token-issued", FuzzBudget.InProcess(300), AnyIssued, _ => [], i => System.Text.Encoding.UTF8.GetBytes(i.Text), issued =>
        {
            if (issued.Cursor is { } cursor)
            {
                return !PullCursor.TryParse(issued.Text, _keys, Tenant, out var read) || read != cursor ? "an issued cursor reads back otherwise"
                    : PullCursor.TryParse(issued.Text, _keys, Tenant + 1, out _) ? "a cursor read for another tenant"
                    : null;
            }

            var readBack = PageToken.TryParse(issued.Text, _keys, Tenant, issued.Query!, out var position);
            var other = issued.Query!.Clone();
            other.Regions.Add("CN-JL");
            return readBack != issued.Position >= 0 || (readBack && position != issued.Position) ? "an issued page token reads back otherwise"
                : PageToken.TryParse(issued.Text, _keys, Tenant + 1, issued.Query!, out _) ? "a page token read for another tenant"
                : PageToken.TryParse(issued.Text, _keys, Tenant, other, out _) ? "a page token read for another query"
                : null;
        }, issued => issued.Cursor is null ? issued.Position >= 0 ? "page token" : "page token before the start" : "cursor");

    [Fact]
    public void An_altered_cursor_or_page_token_is_refused_unless_it_decodes_to_the_bytes_issued() =>
        FuzzProperty.Check("token-altered", FuzzBudget.InProcess(500), AnyAltered, _ => [], a => System.Text.Encoding.UTF8.GetBytes(a.Text), altered =>
        {
            var (issued, text) = (altered.Issued, altered.Text);
            if (text.Length == 0)
            {
                return null; // cut to nothing: the start of the feed or the first page, as any empty text (token-text)
            }

            var same = Decoded(text) is { } bytes && bytes.AsSpan().SequenceEqual(Decoded(issued.Text));
            if (issued.Cursor is { } cursor)
            {
                var read = PullCursor.TryParse(text, _keys, Tenant, out var value);
                return read && !same ? "an altered cursor was read" : read && value != cursor ? "an altered cursor read as another" : null;
            }

            var accepted = PageToken.TryParse(text, _keys, Tenant, issued.Query!, out var position);
            return accepted && !same ? "an altered page token was read" : accepted && position != issued.Position ? "an altered page token read as another" : null;
        }, altered => altered.Text.Length == 0 ? "cut to nothing"
            : !(Decoded(altered.Text) is { } b && b.AsSpan().SequenceEqual(Decoded(altered.Issued.Text))) ? "other bytes"
            : (altered.Issued.Cursor is null ? PageToken.TryParse(altered.Text, _keys, Tenant, altered.Issued.Query!, out _) : PullCursor.TryParse(altered.Text, _keys, Tenant, out _))
                ? "same bytes, other text, read" : "same bytes, other text, refused");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>An issued text and an alteration of it.</summary>
    public sealed record Altered(Issued Issued, string Text);

    private static byte[]? Decoded(string text) => Base64Url.IsValid(text) ? Base64Url.DecodeFromChars(text) : null;

    private static Gen<string> AnyText =>
        Gen.Choose(0, int.MaxValue).Select(seed =>
        {
            var random = new Random(seed);
            return random.Next(3) switch
            {
                0 => new string([.. Enumerable.Range(0, IssuedLengths[random.Next(IssuedLengths.Length)]).Select(_ => Alphabet[random.Next(Alphabet.Length)])]),
                1 => Base64Url.EncodeToString(FuzzValues.Bytes(random, 200)),
                _ => FuzzValues.Text(random),
            };
        });

    private Gen<Issued> AnyIssued => Gen.Choose(0, int.MaxValue).Select(seed => Issue(new Random(seed)));

    private Gen<Altered> AnyAltered =>
        Gen.Choose(0, int.MaxValue).Select(seed =>
        {
            var random = new Random(seed);
            var issued = Issue(random);
            while (issued.Cursor is null && issued.Position < 0)
            {
                issued = Issue(random);
            }

            var bytes = Base64Url.DecodeFromChars(issued.Text);
            var altered = random.Next(5) switch
            {
                0 => Base64Url.EncodeToString(FuzzValues.Mutate(bytes, random)),
                1 => Flip(bytes, random),
                2 => issued.Text.Insert(random.Next(issued.Text.Length + 1), Insertions[random.Next(Insertions.Length)]),
                3 => Convert.ToBase64String(bytes),
                _ => FuzzValues.Mutate(issued.Text, random),
            };
            return new Altered(issued, altered);
        });

    private static string Flip(byte[] bytes, Random random)
    {
        var flipped = (byte[])bytes.Clone();
        var at = random.Next(flipped.Length);
        flipped[at] ^= (byte)(1 << random.Next(8));
        return Base64Url.EncodeToString(flipped);
    }

    private Issued Issue(Random random)
    {
        if (random.Next(2) == 0)
        {
            var cursor = new PullCursor(FuzzValues.Number(random), FuzzValues.Number(random), Time(random), FuzzValues.Number(random), Time(random),
                FuzzValues.Number(random), FuzzValues.Number(random), Time(random), random.Next(2) == 0, FuzzValues.Number(random), Time(random));
            return new Issued(cursor, null, 0, cursor.Format(PullCursor.Key(_keys), Tenant));
        }

        var query = (ListCasesRequest)ProtoFuzzer.Random(ListCasesRequest.Descriptor, random);
        query.PageSize = 0;
        query.PageToken = "";
        var position = FuzzValues.Number(random);
        return new Issued(null, query, position, PageToken.Format(_keys, Tenant, query, position));
    }

    private static DateTime Time(Random random) =>
        new(random.Next(3) == 0 ? DateTime.MaxValue.Ticks : random.NextInt64(0, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
}
