using System.Security.Cryptography;
using Google.Protobuf.WellKnownTypes;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.V1;

namespace SharingPlatform.Client.Audit;

/// <summary>
/// Verifies an exported audit chain offline, trusting nothing the server says about it: every digest and hash is
/// recomputed with <see cref="AuditHashing"/>, and the only anchors are checkpoints signed with the audit key the
/// auditor pinned, or with a key that one announced (<see cref="AuditKeyTrust"/>). A chain that is consistent in itself proves little, because whoever rewrites history can
/// recompute every hash; a checkpoint kept from earlier is what proves the events before it did not change.
/// </summary>
public static class AuditVerifier
{
    private const string SignatureInvalid = "checkpoint signature invalid";

    /// <summary>
    /// Verifies <paramref name="events"/>, an export from sequence 1, and reports where it first goes wrong: exactly
    /// at an event that does not fit the events before it; otherwise, when the events fit but a checkpoint disagrees
    /// (another head, or a chain that ends before it), as the range that the checkpoints leave open.
    /// </summary>
    /// <param name="events">The exported events, in sequence order, from sequence 1.</param>
    /// <param name="publicJwk">
    /// The pinned audit public key (EC P-256 JWK). Deliberately not the key inside the checkpoints, which whoever
    /// forges a checkpoint would simply replace with their own: a checkpoint signed by another key counts only when the
    /// pinned key announced it in the chain (<see cref="AuditKeyTrust"/>), as after an audit key rotation.
    /// </param>
    /// <param name="kept">
    /// Checkpoints stored earlier, in any order, or none; the export must reach each and agree with it. Keeping more
    /// of them narrows where a rewrite lies. They are taken as snapshots of one append-only history: a later one
    /// that is smaller than an earlier one is reported as the chain having shrunk.
    /// </param>
    /// <param name="latest">The checkpoint fetched now, or null; the export must agree with it where it reaches it.</param>
    /// <exception cref="ArgumentException">The key is not a public EC P-256 JWK.</exception>
    public static AuditVerification Verify(IReadOnlyList<AuditEvent> events, string publicJwk, IReadOnlyCollection<SignedCheckpoint> kept, SignedCheckpoint? latest)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(kept);
        ArgumentException.ThrowIfNullOrWhiteSpace(publicJwk);
        using var key = ImportKey(publicJwk);
        var (verified, broken, heads) = Walk(events, [.. kept.Append(latest).Select(SizeOf)]);
        var trust = new AuditKeyTrust(key, events, verified);

        var failures = new List<Failure>();
        if (broken is { } failure)
        {
            failures.Add(failure);
        }

        var genuine = new List<Snapshot>();
        foreach (var checkpoint in kept)
        {
            if (trust.Genuine(checkpoint))
            {
                genuine.Add(Snapshot.Of(checkpoint, heads));
            }
            else
            {
                failures.Add(Failure.Unplaced(SignatureInvalid));
            }
        }

        Snapshot? now = null;
        if (latest is not null && !trust.Genuine(latest))
        {
            failures.Add(Failure.Unplaced(SignatureInvalid));
        }
        else if (latest is not null && genuine.Exists(k => TimeOf(latest) < k.Time))
        {
            // An old signed checkpoint replayed as the latest one would hide everything after it.
            failures.Add(Failure.Unplaced("latest checkpoint is older than the kept one"));
        }
        else if (latest is not null)
        {
            now = Snapshot.Of(latest, heads);
        }

        failures.AddRange(Divergences(genuine, now, events.Count));
        if (failures.Count == 0)
        {
            return AuditVerification.Ok(events.Count);
        }

        // Each finding that places the first bad sequence bounds it from above and the lowest bound wins; on a tie the
        // wider range, which claims less, and then the event's own problem (found first), the more specific one. A
        // checkpoint that is no evidence (a bad signature, an old one replayed as the latest) places nothing.
        var first = failures.MinBy(f => (f.To == 0, f.To, f.From));
        return AuditVerification.Failed(verified, first.From, first.To, first.Problem);
    }

    /// <summary>
    /// Where the export, or a later checkpoint, departs from the history a checkpoint was signed over. A checkpoint holds
    /// only the head hash of its first <c>size</c> events, so a chain that fits together but ends on another head, or
    /// ends short of it (a truncation, even with new events appended after the cut), shows that something there
    /// differs and not which event: the first that differs lies after the largest kept checkpoint that still matches
    /// (from 1 when none does) and at most at the checkpoint's size, or one past where the shorter chain ends.
    /// </summary>
    private static IEnumerable<Failure> Divergences(List<Snapshot> kept, Snapshot? now, long exported)
    {
        foreach (var checkpoint in kept)
        {
            if (checkpoint.Matches is false)
            {
                yield return new(1 + Anchored(kept, checkpoint, checkpoint.Size), checkpoint.Size, "history before the kept checkpoint was rewritten");
            }
            else if (exported < checkpoint.Size)
            {
                yield return new(1 + Anchored(kept, checkpoint, exported + 1), exported + 1, "truncated before the kept checkpoint");
            }
        }

        if (now is { Matches: false } latest)
        {
            yield return new(1 + Anchored(kept, latest, latest.Size), latest.Size, "export does not match the latest checkpoint");
        }

        // A later checkpoint smaller than an earlier one lacks what the earlier one held. The export ties the two
        // together only where it matches both: the later checkpoint up to its size, the earlier history up to an anchor.
        var later = now is { } present ? kept.Select(k => (Earlier: k, Later: present)) : [];
        foreach (var (earlier, shrunk) in later.Concat(from e in kept from l in kept where l.Time > e.Time select (e, l)))
        {
            if (shrunk.Size < earlier.Size)
            {
                var start = shrunk.Matches is true ? 1 + Math.Min(shrunk.Size, Anchored(kept, earlier, long.MaxValue)) : 1;
                yield return new(start, shrunk.Size + 1, "chain shrank");
            }
        }
    }

    /// <summary>
    /// The largest size below <paramref name="below"/> up to which the export is known to be the history
    /// <paramref name="of"/> was signed over: a kept checkpoint it still matches, other than one taken later yet
    /// smaller (that one shows the chain shrank, so its events need not be the earlier history's); 0 when none.
    /// </summary>
    private static long Anchored(List<Snapshot> kept, Snapshot of, long below) =>
        kept.Where(k => k.Matches is true && k.Size < below && !(k.Time > of.Time && k.Size < of.Size)).Select(k => k.Size).DefaultIfEmpty(0).Max();

    /// <summary>
    /// Walks the chain from sequence 1 until the first event that does not fit, keeping the recomputed head at the
    /// checkpoint sizes (0 is the empty chain, whose head is <see cref="AuditHashing.Genesis"/>); a checkpoint whose
    /// size the walk did not reach has no head to compare.
    /// </summary>
    private static (long Verified, Failure? Failure, Dictionary<long, byte[]> Heads) Walk(IReadOnlyList<AuditEvent> events, HashSet<long> sizes)
    {
        var heads = new Dictionary<long, byte[]> { [0] = AuditHashing.Genesis };
        var previous = AuditHashing.Genesis;
        for (var i = 0; i < events.Count; i++)
        {
            var sequence = i + 1L;
            var problem = Check(events, i, previous);
            if (problem is not null)
            {
                return (i, Failure.At(sequence, problem), heads);
            }

            previous = events[i].Hash.ToByteArray();
            if (sizes.Contains(sequence))
            {
                heads[sequence] = previous;
            }
        }

        return (events.Count, null, heads);
    }

    /// <summary>Checks event <paramref name="index"/>, all before it having fit; returns the problem, or null.</summary>
    private static string? Check(IReadOnlyList<AuditEvent> events, int index, byte[] previous)
    {
        var e = events[index];
        var expected = index + 1L;
        if (e.Sequence != expected)
        {
            // A lower number is a duplicate (everything below was seen); a higher one is a gap unless the missing
            // sequence turns up later, when the events were reordered.
            var later = false;
            for (var j = index + 1; j < events.Count && !later; j++)
            {
                later = events[j].Sequence == expected;
            }

            return e.Sequence < expected || later ? "out of order" : "gap";
        }

        // A redacted event must carry no content (content the digest does not cover would be accepted unchecked) and
        // no salt. A full event is recomputed with its salt: one sent without it does not match its digest.
        if (e.Redacted ? HasContent(e) : !ContentMatches(e))
        {
            return "content changed";
        }

        if (!e.PreviousHash.Span.SequenceEqual(previous))
        {
            return "previous hash mismatch";
        }

        return e.ContentDigest.Length != 32 || !e.Hash.Span.SequenceEqual(AuditHashing.ChainHash(e.PreviousHash.Span, e.ContentDigest.Span))
            ? "hash mismatch"
            : null;
    }

    private static bool HasContent(AuditEvent e) =>
        e.Time is not null || e.ActorClient.Length > 0 || e.ActorTenant.Length > 0 || e.Action.Length > 0 || e.Resources.Count > 0
        || e.Purpose.Length > 0 || e.Outcome.Length > 0 || e.RequestId.Length > 0 || e.Salt.Length > 0;

    private static bool ContentMatches(AuditEvent e) =>
        ToDateTime(e.Time) is { } time && e.ContentDigest.Span.SequenceEqual(AuditHashing.ContentDigest(
            e.Sequence, time, e.ActorClient, e.ActorTenant, e.Action, e.Resources, e.Purpose, e.Outcome, e.RequestId, e.Salt.Span));

    /// <summary>A missing or malformed time makes the event or checkpoint not fit, rather than stop the audit.</summary>
    private static DateTime? ToDateTime(Timestamp? timestamp)
    {
        try
        {
            return timestamp?.ToDateTime();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static ECDsa ImportKey(string publicJwk)
    {
        var jwk = new JsonWebKey(publicJwk);
        if (jwk.Kty != JsonWebAlgorithmsKeyTypes.EllipticCurve || jwk.Crv != JsonWebKeyECTypes.P256 || string.IsNullOrEmpty(jwk.X) || string.IsNullOrEmpty(jwk.Y))
        {
            throw new ArgumentException("The audit key is not a public EC P-256 JWK.", nameof(publicJwk));
        }

        try
        {
            return ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
            });
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            throw new ArgumentException("The audit key is not a point on P-256.", nameof(publicJwk), ex);
        }
    }

    private static long SizeOf(SignedCheckpoint? signed) => signed?.Checkpoint?.Size ?? 0;

    /// <summary>The time of a checkpoint whose signature verified (so its time is well-formed).</summary>
    private static DateTime TimeOf(SignedCheckpoint signed) => signed.Checkpoint.Time.ToDateTime();

    /// <summary>A genuine checkpoint and whether the export matches it: null when the export does not reach its size.</summary>
    private readonly record struct Snapshot(long Size, DateTime Time, bool? Matches)
    {
        public static Snapshot Of(SignedCheckpoint signed, Dictionary<long, byte[]> heads) => new(SizeOf(signed), TimeOf(signed),
            heads.TryGetValue(SizeOf(signed), out var head) ? signed.Checkpoint.HeadHash.Span.SequenceEqual(head) : null);
    }

    /// <summary>The first bad sequence lies in <see cref="From"/>..<see cref="To"/>; one sequence when known exactly, 0..0 when unplaced.</summary>
    private readonly record struct Failure(long From, long To, string Problem)
    {
        public static Failure At(long sequence, string problem) => new(sequence, sequence, problem);

        /// <summary>A fault of a checkpoint alone, which shows no event to be bad.</summary>
        public static Failure Unplaced(string problem) => new(0, 0, problem);
    }
}
