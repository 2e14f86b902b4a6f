using System.Globalization;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Server.Hosting;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// The token-signing keys of a key directory over time, as files, so that several replicas on one directory agree
/// during a rolling restart:
/// <list type="bullet">
/// <item><c>token-signing-p256.jwk</c>, the current key: it signs every token.</item>
/// <item><c>token-signing-p256.next.jwk</c>, a staged key (<see cref="Stage"/>): published and accepted, never signing,
/// so that once every replica has loaded it, any of them may start signing with it.</item>
/// <item><c>token-signing-p256.retired-{kid}.jwk</c>, a former current key (<see cref="Activate"/>), public half only,
/// with the time it was retired: published and accepted until the tokens it signed have expired (<see cref="Prune"/>).</item>
/// </list>
/// Every step is a whole file written or renamed, so a step cut short leaves the keys as before it or after it, and
/// a step run again finishes it.
/// </summary>
public static class TokenSigningKeys
{
    public const string CurrentFile = "token-signing-p256.jwk";
    public const string NextFile = "token-signing-p256.next.jwk";
    private const string RetiredPrefix = "token-signing-p256.retired-";
    private const string RetiredMember = "retired";

    /// <summary>The keys besides the current one that tokens may be signed with: staged and retired, public halves only.</summary>
    public static IReadOnlyList<SecurityKey> ValidationOnly(string directory, string currentKid) =>
        [.. List(directory).Where(e => e.Role != "current" && e.Kid != currentKid).DistinctBy(e => e.Kid)
            .Select(e => EcKeyFile.LoadPublic(Path.Combine(directory, e.File)))];

    /// <summary>The token-signing key files of <paramref name="directory"/>: current, staged, then retired from newest.</summary>
    public static IReadOnlyList<KeyFileEntry> List(string directory)
    {
        var entries = new List<KeyFileEntry>();
        foreach (var (role, file) in new[] { ("current", CurrentFile), ("staged", NextFile) })
        {
            if (File.Exists(Path.Combine(directory, file)))
            {
                entries.Add(new KeyFileEntry(role, EcKeyFile.KidOf(EcKeyFile.Read(Path.Combine(directory, file))), file, null));
            }
        }

        var retired = Directory.Exists(directory) ? Directory.EnumerateFiles(directory, RetiredPrefix + "*.jwk") : [];
        entries.AddRange(retired.Select(path => new KeyFileEntry("retired", EcKeyFile.KidOf(EcKeyFile.Read(path)), Path.GetFileName(path), RetiredAt(path)))
            .OrderByDescending(e => e.Retired));
        return entries;
    }

    /// <summary>Makes a new key and stages it; refuses while one is staged already (activate it first).</summary>
    public static KeyFileEntry Stage(string directory)
    {
        RequireCurrent(directory);
        var path = Path.Combine(directory, NextFile);
        if (!ServerKeys.TryWriteNew(path, EcKeyFile.CreatePrivate()))
        {
            throw new KeyCommandException($"A key is staged already ({EcKeyFile.KidOf(EcKeyFile.Read(path))}): restart every replica, then activate it.");
        }

        return new KeyFileEntry("staged", EcKeyFile.KidOf(EcKeyFile.Read(path)), NextFile, null);
    }

    /// <summary>
    /// Makes the staged key current and retires the current one (its public half, stamped <paramref name="now"/>).
    /// The retired file is written first and never replaced, so a run cut short and run again keeps the first stamp.
    /// </summary>
    public static (KeyFileEntry Current, KeyFileEntry Retired) Activate(string directory, DateTime now)
    {
        var current = RequireCurrent(directory);
        var next = Path.Combine(directory, NextFile);
        if (!File.Exists(next))
        {
            throw new KeyCommandException("No key is staged: run `keys stage` and restart every replica first.");
        }

        _ = EcKeyFile.LoadPrivate(next); // a cut or foreign file is refused before anything moves
        var old = EcKeyFile.Read(Path.Combine(directory, CurrentFile));
        var retired = RetiredPrefix + current + ".jwk";
        ServerKeys.TryWriteNew(Path.Combine(directory, retired),
            EcKeyFile.PublicOf(old, new Dictionary<string, string> { [RetiredMember] = now.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) }));
        File.Move(next, Path.Combine(directory, CurrentFile), overwrite: true);
        return (new KeyFileEntry("current", EcKeyFile.KidOf(EcKeyFile.Read(Path.Combine(directory, CurrentFile))), CurrentFile, null),
            new KeyFileEntry("retired", current, retired, RetiredAt(Path.Combine(directory, retired))));
    }

    /// <summary>
    /// Deletes the retired keys whose tokens have all expired: retired at least <paramref name="overlap"/> (the access
    /// token lifetime) before <paramref name="now"/>. Returns those deleted and those kept.
    /// </summary>
    public static (IReadOnlyList<KeyFileEntry> Deleted, IReadOnlyList<KeyFileEntry> Kept) Prune(string directory, DateTime now, TimeSpan overlap)
    {
        var retired = List(directory).Where(e => e.Role == "retired").ToList();
        var deleted = retired.Where(e => e.Retired + overlap <= now).ToList();
        foreach (var entry in deleted)
        {
            File.Delete(Path.Combine(directory, entry.File));
        }

        return (deleted, [.. retired.Except(deleted)]);
    }

    private static string RequireCurrent(string directory) =>
        File.Exists(Path.Combine(directory, CurrentFile)) ? EcKeyFile.KidOf(EcKeyFile.Read(Path.Combine(directory, CurrentFile)))
            : throw new KeyCommandException($"{Path.Combine(directory, CurrentFile)} does not exist: this is not the key directory of a platform (start the server once first, or pass its --Platform:DataDirectory or --Identity:KeyDirectory).");

    private static DateTime RetiredAt(string path) =>
        EcKeyFile.Member(path, RetiredMember) is { } stamp && DateTime.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at.ToUniversalTime()
            : throw new StartRefusedException($"{path} does not say when it was retired. Restore it from the backup of the key directory, or delete it once the tokens it signed have expired.");
}
