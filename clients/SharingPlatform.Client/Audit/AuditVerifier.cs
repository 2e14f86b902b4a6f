using System.Security.Cryptography;
using Google.Protobuf.WellKnownTypes;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.V1;

namespace SharingPlatform.Client.Audit;

/// <summary>
/// Verifies an exported audit chain offline, trusting nothing the server says about it: every digest and hash is
/// recomputed with <see cref="AuditHashing"/>, and the only anchors are checkpoints signed with the audit key the
/// auditor pinned. A chain that is consistent in itself proves little, because whoever rewrites history can
/// recompute every hash; a checkpoint kept from earlier is what proves the events before it did not change.
/// </summary>
public static class AuditVerifier
{
    private const string SignatureInvalid = "checkpoint signature invalid";

    /// <summary>
    /// Verifies <paramref name="events"/>, an export from sequence 1, and reports the earliest sequence that does
    /// not fit, whether an event or a checkpoint shows it.
    /// </summary>
    /// <param name="events">The exported events, in sequence order, from sequence 1.</param>
    /// <param name="publicJwk">
    /// The pinned audit public key (EC P-256 JWK). Deliberately not the key inside the checkpoints, which whoever
    /// forges a checkpoint would simply replace with their own.
    /// </param>
    /// <param name="kept">A checkpoint stored earlier, or null; the export must reach it and agree with it.</param>
    /// <param name="latest">The checkpoint fetched now, or null; the export must agree with it where it reaches it.</param>
    /// <exception cref="ArgumentException">The key is not a public EC P-256 JWK.</exception>
    public static AuditVerification Verify(IReadOnlyList<AuditEvent> events, string publicJwk, SignedCheckpoint? kept, SignedCheckpoint? latest)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentException.ThrowIfNullOrWhiteSpace(publicJwk);
        using var key = ImportKey(publicJwk);
        long keptSize = kept?.Checkpoint?.Size ?? 0, latestSize = latest?.Checkpoint?.Size ?? 0;
        var (verified, broken, heads) = Walk(events, keptSize, latestSize);

        // Every finding is a candidate; the earliest sequence wins, and on a tie the event's own problem, which
        // is the more specific one.
        var failures = new List<Failure>();
        if (broken is { } failure)
        {
            failures.Add(failure);
        }

        var keptValid = kept is null || SignatureValid(key, kept);
        if (kept is not null)
        {
            if (!keptValid)
            {
                failures.Add(new(keptSize, SignatureInvalid));
            }
            else if (events.Count < keptSize)
            {
                failures.Add(new(events.Count + 1L, "truncated before the kept checkpoint"));
            }
            else if (!HeadMatches(heads, kept))
            {
                failures.Add(new(keptSize, "history before the kept checkpoint was rewritten"));
            }
        }

        if (latest is not null)
        {
            if (!SignatureValid(key, latest))
            {
                failures.Add(new(latestSize, SignatureInvalid));
            }
            else
            {
                // An export older than the latest checkpoint is fine: it simply does not reach it.
                if (!HeadMatches(heads, latest))
                {
                    failures.Add(new(latestSize, "export does not match the latest checkpoint"));
                }

                if (kept is not null && keptValid && latestSize < keptSize)
                {
                    failures.Add(new(latestSize + 1, "chain shrank"));
                }

                // An old signed checkpoint replayed as the latest one would hide everything after it.
                if (kept is not null && keptValid && latest.Checkpoint.Time.ToDateTime() < kept.Checkpoint.Time.ToDateTime())
                {
                    failures.Add(new(latestSize, "latest checkpoint is older than the kept one"));
                }
            }
        }

        if (failures.Count == 0)
        {
            return AuditVerification.Ok(events.Count);
        }

        var first = failures.MinBy(f => f.Sequence);
        return AuditVerification.Failed(verified, first.Sequence, first.Problem);
    }

    /// <summary>
    /// Walks the chain from sequence 1 until the first event that does not fit, keeping the recomputed head at the
    /// checkpoint sizes (0 is the empty chain, whose head is <see cref="AuditHashing.Genesis"/>).
    /// </summary>
    private static (long Verified, Failure? Failure, Dictionary<long, byte[]> Heads) Walk(
        IReadOnlyList<AuditEvent> events, long keptSize, long latestSize)
    {
        var heads = new Dictionary<long, byte[]> { [0] = AuditHashing.Genesis };
        var previous = AuditHashing.Genesis;
        for (var i = 0; i < events.Count; i++)
        {
            var sequence = i + 1L;
            var problem = Check(events, i, previous);
            if (problem is not null)
            {
                return (i, new Failure(sequence, problem), heads);
            }

            previous = events[i].Hash.ToByteArray();
            if (sequence == keptSize || sequence == latestSize)
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

    /// <summary>True when the export reached the checkpoint's size and its recomputed head there is the signed one.</summary>
    private static bool HeadMatches(Dictionary<long, byte[]> heads, SignedCheckpoint signed) =>
        signed.Checkpoint is not { } checkpoint || !heads.TryGetValue(checkpoint.Size, out var head)
        || checkpoint.HeadHash.Span.SequenceEqual(head);

    private static bool SignatureValid(ECDsa key, SignedCheckpoint signed) =>
        signed.Checkpoint is { } checkpoint && ToDateTime(checkpoint.Time) is { } time && key.VerifyData(
            AuditHashing.CheckpointBytes(checkpoint.Size, checkpoint.HeadHash.Span, time), signed.Signature.Span,
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

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

    private readonly record struct Failure(long Sequence, string Problem);
}
