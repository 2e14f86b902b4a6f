using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Server.Hosting;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// The token service's keys, created once (at a first start only, see <see cref="PlatformStart"/>) and kept as owner-only files so that tokens survive a restart
/// and every replica pointed at the same directory signs and validates alike. Ephemeral keys would log
/// every client out at restart and break a second replica.
/// </summary>
public sealed class ServerKeys
{
    private readonly byte[] _secret;

    private ServerKeys(SecurityKey signing, IReadOnlyList<SecurityKey> signingValidationOnly, SecurityKey encryption, byte[] secret, ECDsaSecurityKey auditSigning)
    {
        Signing = signing;
        SigningValidationOnly = signingValidationOnly;
        Encryption = encryption;
        _secret = secret;
        AuditSigning = auditSigning;
    }

    /// <summary>ES256 key that signs audit checkpoints; separate from token keys so that token key rotation never touches it.</summary>
    public ECDsaSecurityKey AuditSigning { get; }

    /// <summary>The thumbprint of a staged audit key this start must announce (<see cref="AuditSigningKeys"/>), or null.</summary>
    public string? AuditStagedThumbprint { get; private init; }

    /// <summary>The checkpoint by which the key before <see cref="AuditSigning"/> announced it, or null for a key never rotated in.</summary>
    public SignedCheckpoint? AuditAnnouncement { get; private init; }

    /// <summary>ES256 key that signs access tokens; its public half is published in the JWKS.</summary>
    public SecurityKey Signing { get; }

    /// <summary>
    /// Token-signing keys that never sign here but whose tokens are accepted and which the JWKS publishes: a staged key
    /// (another replica may already sign with it) and retired ones (tokens they signed have not all expired). See
    /// <see cref="TokenSigningKeys"/>.
    /// </summary>
    public IReadOnlyList<SecurityKey> SigningValidationOnly { get; }

    /// <summary>Symmetric key OpenIddict needs for its own encrypted artifacts (access tokens are signed, not encrypted).</summary>
    public SecurityKey Encryption { get; }

    /// <summary>
    /// A 256-bit key for one purpose (grantee-scoped subject tokens, pull cursor MACs), derived from the server
    /// secret with HMAC-SHA256 so that one file on shared storage serves every replica and every purpose.
    /// </summary>
    public byte[] Derive(string purpose) => HMACSHA256.HashData(_secret, System.Text.Encoding.UTF8.GetBytes("sharingplatform|v1|" + purpose));

    /// <summary>The key files, each with what is lost if it is replaced by a new key.</summary>
    public static readonly IReadOnlyList<(string File, string LostWithIt)> Files =
    [
        ("server-secret.key", "every stored pull cursor and page token stops working and every grantee-scoped subject token changes"),
        ("audit-signing-p256.jwk", "checkpoints are signed with a key auditors have not pinned, so their verification fails"),
        ("token-signing-p256.jwk", "every access token issued so far is refused"),
        ("token-encryption-aes256.key", "the token service's own encrypted artifacts cannot be read"),
    ];

    /// <summary>The key files of <paramref name="directory"/> that do not exist.</summary>
    public static IReadOnlyList<string> Missing(string directory) =>
        [.. Files.Select(f => f.File).Where(f => !File.Exists(Path.Combine(directory, f)))];

    /// <summary>
    /// Loads the keys of <paramref name="directory"/>. Missing keys are created only when <paramref name="createMissing"/>
    /// (a first start); otherwise a missing key is a refusal to start, never a new key.
    /// </summary>
    public static ServerKeys Load(string directory, bool createMissing)
    {
        DataDirectory.Ensure(directory);
        if (!createMissing && Missing(directory) is { Count: > 0 } missing)
        {
            throw new StartRefusedException(
                $"The key directory {directory} has lost {string.Join(", ", missing)} while the database holds a platform. A new key would mean: "
                + string.Join("; ", Files.Where(f => missing.Contains(f.File)).Select(f => $"{f.File}: {f.LostWithIt}"))
                + ". Restore the missing file(s) from the backup of this key directory (see README, Backups) and start again.");
        }

        var signingPath = Path.Combine(directory, "token-signing-p256.jwk");
        var auditPath = Path.Combine(directory, "audit-signing-p256.jwk");
        foreach (var path in new[] { signingPath, auditPath }.Where(p => !File.Exists(p)))
        {
            TryWriteNew(path, EcKeyFile.CreatePrivate());
        }

        var encryptionPath = Path.Combine(directory, "token-encryption-aes256.key");
        if (!File.Exists(encryptionPath))
        {
            TryWriteNew(encryptionPath, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        var secretPath = Path.Combine(directory, "server-secret.key");
        if (!File.Exists(secretPath))
        {
            TryWriteNew(secretPath, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        var signing = EcKeyFile.LoadPrivate(signingPath);
        var encryption = new SymmetricSecurityKey(ReadKey(encryptionPath));
        var announcement = Path.Combine(directory, AuditSigningKeys.AnnouncementFile(AuditSigningKeys.ThumbprintOf(auditPath)));
        var stagedAudit = Path.Combine(directory, AuditSigningKeys.NextFile);
        return new ServerKeys(signing, TokenSigningKeys.ValidationOnly(directory, signing.KeyId), encryption, ReadKey(secretPath), EcKeyFile.LoadPrivate(auditPath))
        {
            AuditStagedThumbprint = File.Exists(stagedAudit) ? AuditSigningKeys.ThumbprintOf(stagedAudit) : null,
            AuditAnnouncement = File.Exists(announcement) ? ReadCheckpoint(announcement) : null,
        };
    }

    private static SignedCheckpoint ReadCheckpoint(string path)
    {
        try
        {
            return JsonParser.Default.Parse<SignedCheckpoint>(File.ReadAllText(path));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            throw new StartRefusedException($"{path} is not a signed checkpoint (it is empty or cut). Restore it from the backup of the key directory: without it, auditors who pinned the previous audit key cannot trust the current one.");
        }
    }

    /// <summary>A 256-bit key, or a refusal: an empty or cut file (a crash while copying it) must never become an empty HMAC key.</summary>
    private static byte[] ReadKey(string path)
    {
        var buffer = new byte[64];
        return Convert.TryFromBase64String(File.ReadAllText(path).Trim(), buffer, out var length) && length == 32
            ? buffer[..32]
            : throw new StartRefusedException($"{path} does not hold a 256-bit key (it is empty, cut or not base64). Restore it from the backup of the key directory.");
    }

    /// <summary>
    /// Writes an owner-only file whole to a temporary one, then moves it into place without overwriting: a crash leaves
    /// no half key, and when two processes write the same file the loser keeps the winner's. False if it existed.
    /// </summary>
    public static bool TryWriteNew(string path, string content)
    {
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        DataDirectory.WriteSecretFile(temporary, content);
        try
        {
            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return false;
        }
    }
}
