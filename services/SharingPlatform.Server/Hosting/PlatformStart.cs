using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Identity;

namespace SharingPlatform.Server.Hosting;

/// <summary>
/// Decides, before anything is written, whether this start is a first start. A first start is one on a new data
/// directory: an empty database and no keys. An empty or missing database beside keys or bootstrap files that a
/// platform left is a lost database, not a first start, and a database that holds a platform with a key missing is a
/// lost key: both are refusals (<see cref="StartRefusedException"/>) that say what to restore, never a silent new start.
/// <para>
/// The key directory keeps <c>platform-state.json</c>: <c>initialising</c> from the moment a first start creates keys,
/// <c>initialised</c> once the platform is in the database. A first start killed half-way (keys made, database not yet
/// bootstrapped) therefore resumes at the next start instead of being mistaken for a lost database.
/// </para>
/// </summary>
public static class PlatformStart
{
    public const string StateFile = "platform-state.json";
    private const string Initialising = "initialising";
    private const string Initialised = "initialised";

    /// <summary>True for a first start (or one resumed); throws <see cref="StartRefusedException"/> for a lost database.</summary>
    public static async Task<bool> CheckAsync(SharingDbContext db, KeyRing keys, PlatformOptions platform, CancellationToken cancellationToken)
    {
        if (await HoldsPlatformAsync(db, cancellationToken))
        {
            return false; // every key must exist: KeyRing.Load refuses otherwise
        }

        var state = ReadState(keys.Directory);
        var where = Where(db);
        if (state?.State == Initialised)
        {
            throw new StartRefusedException(
                $"The database ({where}) is empty or missing, but the key directory {keys.Directory} belongs to a platform initialised on {state.Since:yyyy-MM-dd}. "
                + "This is a lost database, not a first start: restore it from its backup (see README, Backups) and start again. "
                + $"To start a new, empty platform on purpose, move {keys.Directory} and {BootstrapDirectory(platform)} away first.");
        }

        if (state?.State == Initialising)
        {
            return true; // an earlier first start stopped before it finished: it carries on with the keys it made
        }

        var left = ServerKeys.Files.Select(f => Path.Combine(keys.Directory, f.File)).Where(File.Exists)
            .Concat(Directory.Exists(BootstrapDirectory(platform)) ? Directory.EnumerateFiles(BootstrapDirectory(platform)) : [])
            .ToList();
        // A replica starting at the same moment on the same key directory may have begun the first start just now.
        if (left.Count > 0 && ReadState(keys.Directory)?.State == Initialising)
        {
            return true;
        }

        if (left.Count > 0)
        {
            throw new StartRefusedException(
                $"The database ({where}) is empty or missing, but {left.Count} key or bootstrap file(s) of an earlier platform exist ({string.Join(", ", left.Select(Path.GetFileName))}). "
                + "This looks like a lost database, not a first start: restore it from its backup (see README, Backups) and start again. "
                + $"To start a new, empty platform on purpose, move {keys.Directory} and {BootstrapDirectory(platform)} away first.");
        }

        WriteState(keys.Directory, Initialising);
        return true;
    }

    /// <summary>Marks the key directory as belonging to the platform now in the database.</summary>
    public static void MarkInitialised(KeyRing keys)
    {
        if (ReadState(keys.Directory)?.State != Initialised)
        {
            WriteState(keys.Directory, Initialised);
        }
    }

    /// <summary>Whether the database holds a platform: its schema and at least the operator tenant.</summary>
    public static async Task<bool> HoldsPlatformAsync(SharingDbContext db, CancellationToken cancellationToken) =>
        (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Any() && await db.Tenants.AnyAsync(cancellationToken);

    private static string Where(SharingDbContext db) => SqliteFiles.FilePath(db) ?? "the configured Database:ConnectionString";

    private static string BootstrapDirectory(PlatformOptions platform) => Path.Combine(platform.DataDirectory, "bootstrap");

    private static Marker? ReadState(string directory)
    {
        var path = Path.Combine(directory, StateFile);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Marker>(File.ReadAllText(path)) ?? throw new JsonException("empty");
        }
        catch (JsonException)
        {
            throw new StartRefusedException($"{path} cannot be read. Restore it from the backup of the key directory (it says whether this directory belongs to an initialised platform).");
        }
    }

    // Written whole beside the old file, then moved over it: a crash leaves the old state or the new one.
    private static void WriteState(string directory, string state)
    {
        DataDirectory.Ensure(directory);
        var path = Path.Combine(directory, StateFile);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        DataDirectory.WriteSecretFile(temporary, JsonSerializer.Serialize(new Marker(state, DateTime.UtcNow)));
        File.Move(temporary, path, overwrite: true);
    }

    private sealed record Marker(string State, DateTime Since);
}
