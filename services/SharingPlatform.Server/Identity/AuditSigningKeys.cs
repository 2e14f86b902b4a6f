using Microsoft.IdentityModel.Tokens;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// The audit-signing keys of a key directory over time. Auditors pin one key, so a new key must be announced by the
/// old one in the chain before it signs:
/// <list type="bullet">
/// <item><c>audit-signing-p256.jwk</c>, the current key: it signs checkpoints.</item>
/// <item><c>audit-signing-p256.next.jwk</c>, a staged key (<see cref="Stage"/>). The next start of a replica that sees it
/// appends an <c>audit.key_announced</c> event naming its thumbprint and keeps a checkpoint covering that event, signed by
/// the current key, as <c>audit-signing-p256.announcement-{thumbprint}.json</c>.</item>
/// <item>Once announced, <see cref="Activate"/> makes it current; every checkpoint it signs carries that announcement, so a
/// verifier that pinned the old key trusts the new one through it.</item>
/// </list>
/// </summary>
public static class AuditSigningKeys
{
    public const string CurrentFile = "audit-signing-p256.jwk";
    public const string NextFile = "audit-signing-p256.next.jwk";

    /// <summary>The announcement of the key with <paramref name="thumbprint"/>: a checkpoint signed by the key before it.</summary>
    public static string AnnouncementFile(string thumbprint) => $"audit-signing-p256.announcement-{thumbprint}.json";

    /// <summary>The RFC 7638 thumbprint of a key file's public half: what an announcement names.</summary>
    public static string ThumbprintOf(string path)
    {
        var jwk = EcKeyFile.Read(path);
        return Base64UrlEncoder.Encode(new JsonWebKey { Kty = "EC", Crv = jwk.Crv, X = jwk.X, Y = jwk.Y }.ComputeJwkThumbprint());
    }

    /// <summary>The audit key files: current, and staged with whether it is announced yet.</summary>
    public static IReadOnlyList<KeyFileEntry> List(string directory)
    {
        var entries = new List<KeyFileEntry>();
        if (File.Exists(Path.Combine(directory, CurrentFile)))
        {
            entries.Add(new("audit current", ThumbprintOf(Path.Combine(directory, CurrentFile)), CurrentFile, null));
        }

        if (File.Exists(Path.Combine(directory, NextFile)))
        {
            var thumbprint = ThumbprintOf(Path.Combine(directory, NextFile));
            entries.Add(new(File.Exists(Path.Combine(directory, AnnouncementFile(thumbprint))) ? "audit staged, announced" : "audit staged, not announced yet", thumbprint, NextFile, null));
        }

        return entries;
    }

    /// <summary>Makes a new audit key and stages it; refuses while one is staged already.</summary>
    public static KeyFileEntry Stage(string directory)
    {
        var current = Path.Combine(directory, CurrentFile);
        if (!File.Exists(current))
        {
            throw new KeyCommandException($"{current} does not exist: this is not the key directory of a platform.");
        }

        var path = Path.Combine(directory, NextFile);
        if (!ServerKeys.TryWriteNew(path, EcKeyFile.CreatePrivate()))
        {
            throw new KeyCommandException($"An audit key is staged already ({ThumbprintOf(path)}): restart a replica to announce it, then activate it.");
        }

        return new("audit staged", ThumbprintOf(path), NextFile, null);
    }

    /// <summary>Makes the staged audit key current; refuses until the current key has announced it.</summary>
    public static KeyFileEntry Activate(string directory)
    {
        var next = Path.Combine(directory, NextFile);
        if (!File.Exists(next))
        {
            throw new KeyCommandException("No audit key is staged: run `keys stage audit` first.");
        }

        var thumbprint = ThumbprintOf(next);
        _ = EcKeyFile.LoadPrivate(next);
        if (!File.Exists(Path.Combine(directory, AnnouncementFile(thumbprint))))
        {
            throw new KeyCommandException($"The staged audit key {thumbprint} is not announced yet: restart a replica (its start announces it in the chain, signed by the current key), then activate.");
        }

        File.Move(next, Path.Combine(directory, CurrentFile), overwrite: true);
        return new("audit current", thumbprint, CurrentFile, null);
    }
}
