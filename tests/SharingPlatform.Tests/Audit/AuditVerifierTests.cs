using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SharingPlatform.Client.Audit;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Audit;

/// <summary>
/// The offline verifier against a synthetic chain of 20 events built with the SDK's hashing, as the server builds it;
/// the first <see cref="Unsalted"/> stand for events written before salts existed.
/// </summary>
public sealed class AuditVerifierTests : IDisposable
{
    private const int Size = 20;
    private const int Unsalted = 3;
    private const string SignatureInvalid = "checkpoint signature invalid";
    private const string Changed = "content changed";
    private const string Rewritten = "history before the kept checkpoint was rewritten";
    private const string Truncated = "truncated before the kept checkpoint";
    private static readonly DateTime Start = new(2025, 3, 1, 9, 0, 0, DateTimeKind.Utc);

    private readonly ECDsa _auditKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly List<AuditEvent> _chain = Rehash(Enumerable.Range(1, Size).Select(Event));

    public static TheoryData<string, int, string> Edits => new()
    {
        { "actor", 1, Changed }, { "tenant", 4, Changed }, { "action", 7, Changed }, { "resource", 12, Changed }, { "time", 15, Changed },
        { "outcome", 20, Changed }, { "purpose", 9, Changed }, { "request", 3, Changed }, { "digest", 5, Changed }, { "salt", 8, Changed },
        { "previous", 11, "previous hash mismatch" }, { "hash", 16, "hash mismatch" },
    };

    public void Dispose() => _auditKey.Dispose();

    [Fact]
    public void Untouched_chain_verifies()
    {
        Assert.Equal(AuditVerification.Ok(Size), Verify(_chain, Sign(_chain, 10), Sign(_chain, Size)));
        Assert.Equal(AuditVerification.Ok(Size), Verify(_chain, Sign(_chain, Size), Sign(_chain, Size)));
        Assert.Equal(AuditVerification.Ok(Size), Verify(_chain, null, null));
        Assert.Equal(AuditVerification.Ok(0), Verify([], Sign([], 0), null));
    }

    [Theory]
    [MemberData(nameof(Edits))]
    public void Changing_any_field_of_any_event_fails_at_that_event(string field, int sequence, string problem)
    {
        var (kept, latest) = (Sign(_chain, 10), Sign(_chain, Size));
        var e = _chain[sequence - 1];
        switch (field)
        {
            case "actor": e.ActorClient = "client-x"; break;
            case "tenant": e.ActorTenant = "other-tenant"; break;
            case "action": e.Action = "sharing.v1.CaseService/DeleteCase"; break;
            case "resource": e.Resources[1] = e.Resources[1].Replace("cases", "casez", StringComparison.Ordinal); break;
            case "time": e.Time = Timestamp.FromDateTime(e.Time.ToDateTime().AddTicks(10)); break;
            case "outcome": e.Outcome = "OK"; break;
            case "purpose": e.Purpose = "PURPOSE_RESEARCH"; break;
            case "request": e.RequestId = "req-9999"; break;
            case "digest": e.ContentDigest = Flip(e.ContentDigest); break;
            case "salt": e.Salt = Flip(e.Salt); break;
            case "previous": e.PreviousHash = Flip(e.PreviousHash); break;
            default: e.Hash = Flip(e.Hash); break;
        }

        // Edits before the kept checkpoint, and after it, are both named at the event, not at the checkpoint.
        AssertBroken(Verify(_chain, kept, latest), sequence, problem);
        AssertBroken(Verify(_chain, null, null), sequence, problem);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(19)]
    public void Deleting_an_event_fails_at_its_sequence(int sequence)
    {
        var kept = Sign(_chain, Size);
        _chain.RemoveAt(sequence - 1);

        AssertBroken(Verify(_chain, kept, null), sequence, "gap");
    }

    [Fact]
    public void Inserting_an_event_fails_right_after_it()
    {
        var kept = Sign(_chain, Size);
        var forged = Event(8);
        forged.ActorClient = "client-x";
        // A well-formed, correctly chained event numbered 8, placed before the real 8: two events claim slot 8
        // and nothing tells which one is real, so the break shows at 9.
        _chain.Insert(7, Rehash([.. _chain.Take(7), forged])[7]);
        AssertBroken(Verify(_chain, kept, null), 9, "out of order");

        // Renumbering what follows does not help: each event's digest covers its own sequence.
        for (var i = 8; i < _chain.Count; i++)
        {
            _chain[i].Sequence = i + 1;
        }

        AssertBroken(Verify(_chain, kept, null), 9, Changed);
    }

    [Theory]
    [InlineData(5, 9)]
    [InlineData(12, 13)]
    [InlineData(1, 20)]
    public void Swapping_two_events_fails_at_the_first_swapped(int first, int second)
    {
        (_chain[first - 1], _chain[second - 1]) = (_chain[second - 1], _chain[first - 1]);

        AssertBroken(Verify(_chain, null, Sign(_chain, Size)), first, "out of order");
    }

    [Fact]
    public void Truncating_the_tail_after_a_kept_checkpoint_fails()
    {
        var kept = Sign(_chain, 15);
        AssertBroken(Verify(_chain, kept, Sign(_chain, 12)), 13, "chain shrank");
        _chain.RemoveRange(12, Size - 12);

        // On its own a shorter chain is still a chain; only the kept checkpoint remembers it was longer. That 13 is
        // missing is certain, but nothing shows that 1..12 are the events the checkpoint was signed over.
        Assert.Equal(AuditVerification.Ok(12), Verify(_chain, null, Sign(_chain, 12)));
        AssertWithin(Verify(_chain, kept, null), 1, 13, Truncated);
        AssertWithin(Verify(_chain, kept, Sign(_chain, 12)), 1, 13, Truncated);
        AssertBroken(VerifyAgainst(_chain, [kept, Sign(_chain, 12)], null), 13, Truncated);
    }

    [Fact]
    public void A_kept_checkpoint_smaller_than_an_earlier_kept_one_shows_the_chain_shrank()
    {
        var (earlier, grown, shrunk) = (Sign(_chain, 15, time: Start.AddDays(1)), Sign(_chain, 18, time: Start.AddDays(2)), Sign(_chain, 12, time: Start.AddDays(2)));

        Assert.Equal(AuditVerification.Ok(Size), VerifyAgainst(_chain, [grown, earlier], null));
        AssertBroken(VerifyAgainst(_chain, [shrunk, earlier], null), 13, "chain shrank");
    }

    [Fact]
    public void Fully_rehashed_rewrite_fails_against_the_kept_checkpoint()
    {
        var kept = Sign(_chain, 10);
        _chain[4].ActorClient = "client-x";
        var rewritten = Rehash(_chain);
        using var attackerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Equal(AuditVerification.Ok(Size), Verify(rewritten, null, null));
        // Even a fresh checkpoint over the rewrite signed with the real key cannot cover what was kept.
        AssertWithin(Verify(rewritten, kept, Sign(rewritten, Size)), 1, 10, Rewritten);
        AssertUnplaced(Verify(rewritten, null, Sign(rewritten, Size, attackerKey)), SignatureInvalid);
        AssertUnplaced(Verify(rewritten, Sign(rewritten, 10, attackerKey), null), SignatureInvalid);
    }

    [Fact]
    public void Rewrite_after_the_kept_checkpoint_fails_against_the_latest()
    {
        var (kept, latest) = (Sign(_chain, 10), Sign(_chain, Size));
        _chain[14].Outcome = "OK";

        // The kept checkpoint still matches, so the change lies after it.
        AssertWithin(Verify(Rehash(_chain), kept, latest), 11, Size, "export does not match the latest checkpoint");
    }

    [Fact]
    public void A_truncation_followed_by_new_events_is_placed_no_closer_than_the_checkpoints_allow()
    {
        // The insider cuts a chain of 70 back to 64 and moves the head there; the server then appends new events on
        // top of 64, so the export chains together from 1 to its end and only the checkpoint kept at 68 disagrees.
        var original = Rehash(Enumerable.Range(1, 70).Select(Event));
        var truncated = Rehash([.. original.Take(64), .. Enumerable.Range(65, 10).Select(Appended)]);
        var kept = Sign(original, 68);

        Assert.Equal(AuditVerification.Ok(74), Verify(truncated, null, Sign(truncated, 74)));
        // A head hash covers its 68 events as a whole: a changed event 1 and a replaced event 65 look exactly alike.
        AssertWithin(VerifyAgainst(truncated, [kept], Sign(truncated, 74)), 1, 68, Rewritten);
        AssertWithin(VerifyAgainst(truncated, [Sign(original, 60), kept], null), 61, 68, Rewritten);
        // Only checkpoints on both sides of 65 name it.
        AssertBroken(VerifyAgainst(truncated, [kept, Sign(original, 65), Sign(original, 64)], null), 65, Rewritten);

        // Fewer new events than the checkpoint held: an export that ends short of it names no event either (not 67).
        var shorter = truncated.Take(66).ToList();
        AssertWithin(VerifyAgainst(shorter, [kept], null), 1, 67, Truncated);
        AssertWithin(VerifyAgainst(shorter, [Sign(original, 60), kept], null), 61, 67, Truncated);
        // Nor does a checkpoint taken after the cut: later yet smaller than the kept one, it shows the chain shrank,
        // and it vouches only for the new events, not for what the kept one covered.
        var afterCut = Sign(shorter, 66, time: Start.AddDays(2));
        AssertWithin(VerifyAgainst(shorter, [kept, afterCut], null), 1, 67, Truncated);
        AssertWithin(VerifyAgainst(shorter, [Sign(original, 60), kept], afterCut), 61, 67, Truncated);
        // An export kept from before the cut disagrees with that checkpoint after the last one they share.
        AssertWithin(VerifyAgainst(original, [Sign(original, 60), kept], afterCut), 61, 66, "export does not match the latest checkpoint");
    }

    [Fact]
    public void A_truncation_whose_new_events_do_not_link_on_is_named_where_the_link_breaks()
    {
        // The head was moved back in size but kept its hash, so the first new event links to the old event 70.
        var original = Rehash(Enumerable.Range(1, 70).Select(Event));
        List<AuditEvent> truncated = [.. original.Take(64), .. Rehash(Enumerable.Range(65, 10).Select(Appended), original[69].Hash)];

        AssertBroken(VerifyAgainst(truncated, [Sign(original, 68)], null), 65, "previous hash mismatch");
        AssertBroken(VerifyAgainst(truncated, [Sign(original, 60)], null), 65, "previous hash mismatch");
    }

    [Fact]
    public void A_consistent_rewrite_is_placed_between_the_last_checkpoint_that_matches_and_the_first_that_does_not()
    {
        var original = Rehash(Enumerable.Range(1, 70).Select(Event));
        var rewritten = Rehash(original.Select(e => e.Sequence >= 26 ? Edited(e) : e));
        var kept = Sign(original, 40);

        Assert.Equal(AuditVerification.Ok(70), Verify(rewritten, null, Sign(rewritten, 70)));
        AssertWithin(VerifyAgainst(rewritten, [kept], Sign(rewritten, 70)), 1, 40, Rewritten);
        AssertWithin(VerifyAgainst(rewritten, [Sign(original, 20), kept], null), 21, 40, Rewritten);
        AssertWithin(VerifyAgainst(rewritten, [Sign(original, 30), Sign(original, 25), kept, Sign(original, 20)], null), 26, 30, Rewritten);
        AssertBroken(VerifyAgainst(rewritten, [Sign(original, 25), Sign(original, 26), kept], null), 26, Rewritten);
        // A checkpoint beyond a break cannot be compared: the break is what the export shows.
        rewritten[49].Outcome = "OK";
        AssertWithin(VerifyAgainst(rewritten, [kept], null), 1, 40, Rewritten);
        AssertBroken(VerifyAgainst(rewritten, [Sign(original, 25), Sign(original, 60)], null), 50, Changed);
    }

    [Fact]
    public void Redacted_events_still_verify()
    {
        foreach (var index in (int[])[2, 3, 11])
        {
            var e = _chain[index];
            _chain[index] = new AuditEvent { Sequence = e.Sequence, ContentDigest = e.ContentDigest, PreviousHash = e.PreviousHash, Hash = e.Hash, Redacted = true };
        }

        Assert.Equal(AuditVerification.Ok(Size), Verify(_chain, Sign(_chain, 10), Sign(_chain, Size)));
        _chain[11].ContentDigest = Flip(_chain[11].ContentDigest);
        AssertBroken(Verify(_chain, Sign(_chain, 10), null), 12, "hash mismatch");
    }

    [Fact]
    public void A_redacted_event_that_carries_content_fails_at_that_event()
    {
        var e = _chain[4];
        _chain[4] = new AuditEvent { Sequence = e.Sequence, ContentDigest = e.ContentDigest, PreviousHash = e.PreviousHash, Hash = e.Hash, Redacted = true, ActorClient = "unchecked" };

        AssertBroken(Verify(_chain, null, Sign(_chain, Size)), 5, "content changed");
    }

    [Fact]
    public void A_redacted_event_that_carries_its_salt_fails_at_that_event()
    {
        var e = _chain[6];
        _chain[6] = new AuditEvent { Sequence = e.Sequence, ContentDigest = e.ContentDigest, PreviousHash = e.PreviousHash, Hash = e.Hash, Redacted = true, Salt = e.Salt };

        AssertBroken(Verify(_chain, null, Sign(_chain, Size)), 7, Changed);
    }

    [Fact]
    public void A_full_event_sent_without_its_salt_fails_at_that_event()
    {
        _chain[12].Salt = ByteString.Empty;

        AssertBroken(Verify(_chain, Sign(_chain, 10), Sign(_chain, Size)), 13, Changed);
    }

    [Fact]
    public void Events_written_before_salts_verify_with_the_old_encoding_and_cannot_gain_a_salt()
    {
        Assert.All(_chain.Take(Unsalted), e => Assert.True(e.Salt.IsEmpty));
        Assert.Equal(AuditVerification.Ok(Size), Verify(_chain, Sign(_chain, Unsalted), Sign(_chain, Size)));

        _chain[1].Salt = _chain[10].Salt;

        AssertBroken(Verify(_chain, null, Sign(_chain, Size)), 2, Changed);
    }

    [Fact]
    public void The_digest_encoding_is_pinned_with_and_without_a_salt()
    {
        // Computed independently (Python hashlib) from the documented encoding; the unsalted one is what every
        // event written before salts existed was hashed with, so it must never change.
        var time = new DateTime(2025, 3, 1, 9, 4, 19, DateTimeKind.Utc).AddTicks(70);
        byte[] Digest(byte[] salt) => AuditHashing.ContentDigest(7, time, "client-1", "unhcr-demo", "sharing.v1.CaseService/GetCase",
            ["tenants/nkdb-demo/cases/c-7", "tenants/nkdb-demo/cases/c-8"], "PURPOSE_UN_SUBMISSION", "OK", "req-0007", salt);

        Assert.Equal("bbd62642fc59fc54a71e333f456fc868d35fbf19eb69fd8751c0e48e0e3a8386", Convert.ToHexStringLower(Digest([])));
        Assert.Equal("8974f631b99526c3cb3031fec0f37414807a5d4cb9a3847abea54156a189607c",
            Convert.ToHexStringLower(Digest([.. Enumerable.Range(0, AuditHashing.SaltLength).Select(i => (byte)i)])));
    }

    [Fact]
    public void An_old_checkpoint_replayed_as_the_latest_fails()
    {
        var kept = Sign(_chain, 15, time: Start.AddDays(2));
        var replayed = Sign(_chain, 15, time: Start.AddDays(1));

        AssertUnplaced(Verify(_chain, kept, replayed), "latest checkpoint is older than the kept one");
    }

    [Fact]
    public void Checkpoint_with_a_bad_signature_fails_without_naming_an_event()
    {
        // A checkpoint that does not verify is no evidence about the chain: nothing says its size, or any event, is bad.
        var kept = Sign(_chain, 10);
        kept.Signature = Flip(kept.Signature);
        AssertUnplaced(Verify(_chain, kept, Sign(_chain, Size)), SignatureInvalid);
        kept.Signature = ByteString.Empty;
        AssertUnplaced(Verify(_chain, kept, null), SignatureInvalid);

        var latest = Sign(_chain, Size);
        latest.Checkpoint.Size = 19;
        latest.Checkpoint.HeadHash = _chain[18].Hash;
        AssertUnplaced(Verify(_chain, Sign(_chain, 10), latest), SignatureInvalid);

        // What the export itself shows is still named, even after the bad checkpoint's size.
        _chain[11].Outcome = "NOT_FOUND";
        AssertBroken(Verify(_chain, kept, latest), 12, Changed);
    }

    [Fact]
    public void A_key_that_is_not_public_P256_is_refused() =>
        Assert.Throws<ArgumentException>(() => AuditVerifier.Verify(_chain, """{"kty":"RSA","n":"AQAB","e":"AQAB"}""", [], null));

    /// <summary>The evidence names <paramref name="sequence"/> exactly.</summary>
    private static void AssertBroken(AuditVerification result, long sequence, string problem)
    {
        Assert.False(result.Intact);
        Assert.Equal(sequence, result.FirstBadSequence);
        Assert.Equal((sequence, sequence), (result.FirstBadFrom, result.FirstBadTo));
        Assert.Equal(problem, result.Problem);
    }

    /// <summary>Not intact, yet no event is shown to be bad: the fault is a checkpoint's alone.</summary>
    private static void AssertUnplaced(AuditVerification result, string problem)
    {
        Assert.False(result.Intact);
        Assert.Null(result.FirstBadSequence);
        Assert.Equal((0L, 0L), (result.FirstBadFrom, result.FirstBadTo));
        Assert.Equal(problem, result.Problem);
    }

    /// <summary>The evidence places the first bad sequence in <paramref name="from"/>..<paramref name="to"/> and no closer.</summary>
    private static void AssertWithin(AuditVerification result, long from, long to, string problem)
    {
        Assert.False(result.Intact);
        Assert.Null(result.FirstBadSequence);
        Assert.Equal((from, to), (result.FirstBadFrom, result.FirstBadTo));
        Assert.Equal(problem, result.Problem);
    }

    private AuditVerification Verify(List<AuditEvent> chain, SignedCheckpoint? kept, SignedCheckpoint? latest) =>
        VerifyAgainst(chain, kept is null ? [] : [kept], latest);

    private AuditVerification VerifyAgainst(List<AuditEvent> chain, SignedCheckpoint[] kept, SignedCheckpoint? latest) =>
        AuditVerifier.Verify(chain, PublicJwk(_auditKey), kept, latest);

    private SignedCheckpoint Sign(List<AuditEvent> chain, int size, ECDsa? key = null, DateTime? time = null)
    {
        key ??= _auditKey;
        var checkpoint = new Checkpoint
        {
            Size = size, HeadHash = size == 0 ? ByteString.CopyFrom(AuditHashing.Genesis) : chain[size - 1].Hash, Time = Timestamp.FromDateTime(time ?? Start.AddDays(1)),
        };
        var signature = key.SignData(AuditHashing.CheckpointBytes(size, checkpoint.HeadHash.Span, checkpoint.Time.ToDateTime()),
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new SignedCheckpoint { Checkpoint = checkpoint, Signature = ByteString.CopyFrom(signature), PublicJwk = PublicJwk(key) };
    }

    private static string PublicJwk(ECDsa key)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64Url.EncodeToString(q.X), ["y"] = Base64Url.EncodeToString(q.Y),
        });
    }

    private static AuditEvent Event(int sequence) => new()
    {
        Sequence = sequence,
        Time = Timestamp.FromDateTime(Start.AddSeconds(sequence * 37).AddTicks(sequence * 10)),
        ActorClient = $"client-{sequence % 3}",
        ActorTenant = sequence % 2 == 0 ? "nkdb-demo" : "unhcr-demo",
        Action = sequence % 4 == 0 ? "token.issue" : "sharing.v1.CaseService/GetCase",
        Resources = { $"tenants/nkdb-demo/cases/c-{sequence}", $"tenants/nkdb-demo/cases/c-{sequence + 1}" },
        Purpose = "PURPOSE_UN_SUBMISSION",
        Outcome = sequence % 5 == 0 ? "PERMISSION_DENIED" : "OK",
        RequestId = $"req-{sequence:D4}",
        Salt = sequence <= Unsalted ? ByteString.Empty : ByteString.CopyFrom(RandomNumberGenerator.GetBytes(AuditHashing.SaltLength)),
    };

    /// <summary>An event the server appends after the insider cut the chain back: another time, actor and request.</summary>
    private static AuditEvent Appended(int sequence) => Edited(Event(sequence));

    /// <summary>The event with other content, digest and hashes not yet recomputed.</summary>
    private static AuditEvent Edited(AuditEvent e)
    {
        var edited = e.Clone();
        edited.Time = Timestamp.FromDateTime(edited.Time.ToDateTime().AddDays(3));
        edited.ActorClient = "insider";
        edited.RequestId = $"req-x{edited.Sequence:D4}";
        return edited;
    }

    /// <summary>
    /// Recomputes every digest and hash from <paramref name="previous"/> (the genesis by default), as the server does
    /// when writing and as an attacker does when rewriting.
    /// </summary>
    private static List<AuditEvent> Rehash(IEnumerable<AuditEvent> events, ByteString? previous = null)
    {
        previous ??= ByteString.CopyFrom(AuditHashing.Genesis);
        var chain = new List<AuditEvent>();
        foreach (var e in events.Select(e => e.Clone()))
        {
            if (!e.Redacted)
            {
                e.ContentDigest = ByteString.CopyFrom(AuditHashing.ContentDigest(e.Sequence, e.Time.ToDateTime(), e.ActorClient,
                    e.ActorTenant, e.Action, e.Resources, e.Purpose, e.Outcome, e.RequestId, e.Salt.Span));
            }

            e.PreviousHash = previous;
            e.Hash = previous = ByteString.CopyFrom(AuditHashing.ChainHash(previous.Span, e.ContentDigest.Span));
            chain.Add(e);
        }

        return chain;
    }

    private static ByteString Flip(ByteString bytes)
    {
        var copy = bytes.ToByteArray();
        copy[^1] ^= 0x01;
        return ByteString.CopyFrom(copy);
    }
}
