using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.V1;

namespace SharingPlatform.Client.Audit;

/// <summary>
/// Which checkpoints an auditor who pinned one audit key can trust once that key has been rotated. A checkpoint signed
/// by the pinned key is trusted as always (whatever key it names). One signed by another key is trusted only through
/// its <c>key_announcement</c>: a checkpoint that is itself trusted (by the pinned key, or by an announcement in
/// turn), that the export matches at its size, and whose events up to that size include the
/// <see cref="AnnouncedAction"/> event naming exactly this key's thumbprint. So a new key enters only by the word of
/// the old one, written in the chain the old one signed.
/// </summary>
public sealed class AuditKeyTrust
{
    /// <summary>The action of the event by which the server announces the audit key that will sign after the current one.</summary>
    public const string AnnouncedAction = "audit.key_announced";

    private const int MaxRotations = 64;

    private readonly ECDsa _pinned;
    private readonly IReadOnlyList<AuditEvent> _events;
    private readonly long _verified;

    /// <param name="pinned">The key the auditor pinned (owned by the caller).</param>
    /// <param name="events">The export, from sequence 1.</param>
    /// <param name="verified">How many of <paramref name="events"/> chain together from sequence 1.</param>
    public AuditKeyTrust(ECDsa pinned, IReadOnlyList<AuditEvent> events, long verified)
    {
        _pinned = pinned;
        _events = events;
        _verified = verified;
    }

    /// <summary>The resource an announcement event names: <c>audit-keys/{RFC 7638 thumbprint, base64url}</c>.</summary>
    public static string AnnouncedResource(string thumbprint) => "audit-keys/" + thumbprint;

    /// <summary>The RFC 7638 thumbprint (base64url) of a public EC P-256 JWK, or null if it is none.</summary>
    public static string? Thumbprint(string publicJwk)
    {
        try
        {
            var jwk = new JsonWebKey(publicJwk);
            return jwk.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve && jwk.Crv == JsonWebKeyECTypes.P256 && !string.IsNullOrEmpty(jwk.X) && !string.IsNullOrEmpty(jwk.Y)
                ? Base64UrlEncoder.Encode(new JsonWebKey { Kty = jwk.Kty, Crv = jwk.Crv, X = jwk.X, Y = jwk.Y }.ComputeJwkThumbprint())
                : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="checkpoint"/> is signed by the pinned key, or by a key announced as above.</summary>
    public bool Genuine(SignedCheckpoint checkpoint) => Genuine(checkpoint, 0);

    private bool Genuine(SignedCheckpoint checkpoint, int depth)
    {
        if (SignatureValid(_pinned, checkpoint))
        {
            return true;
        }

        if (depth >= MaxRotations || checkpoint.KeyAnnouncement is not { } announcement || Thumbprint(checkpoint.PublicJwk) is not { } thumbprint
            || !Genuine(announcement, depth + 1) || !Announces(announcement, thumbprint))
        {
            return false;
        }

        using var key = ImportKey(checkpoint.PublicJwk);
        return key is not null && SignatureValid(key, checkpoint);
    }

    /// <summary>The export matches <paramref name="announcement"/> at its size, and an event up to there announces <paramref name="thumbprint"/>.</summary>
    private bool Announces(SignedCheckpoint announcement, string thumbprint)
    {
        var size = announcement.Checkpoint?.Size ?? 0;
        if (size < 1 || size > _verified || !_events[(int)size - 1].Hash.Span.SequenceEqual(announcement.Checkpoint!.HeadHash.Span))
        {
            return false;
        }

        var resource = AnnouncedResource(thumbprint);
        return _events.Take((int)size).Any(e => !e.Redacted && e.Action == AnnouncedAction && e.Resources.Count == 1 && e.Resources[0] == resource);
    }

    /// <summary>ES256 over the checkpoint's canonical bytes; a missing or malformed time is no signature.</summary>
    public static bool SignatureValid(ECDsa key, SignedCheckpoint checkpoint)
    {
        if (checkpoint.Checkpoint is not { Time: not null } state)
        {
            return false;
        }

        DateTime time;
        try
        {
            time = state.Time.ToDateTime();
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        return key.VerifyData(AuditHashing.CheckpointBytes(state.Size, state.HeadHash.Span, time), checkpoint.Signature.Span,
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private static ECDsa? ImportKey(string publicJwk)
    {
        if (Thumbprint(publicJwk) is null)
        {
            return null;
        }

        var jwk = new JsonWebKey(publicJwk);
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
            return null;
        }
    }
}
