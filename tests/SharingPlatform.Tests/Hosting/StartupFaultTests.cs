using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using SharingPlatform.Tests.Infrastructure;

namespace SharingPlatform.Tests.Hosting;

/// <summary>
/// What the crash harness found at start-up, each through the real server process on its own data directory: a lock
/// left by a start that was killed, a database that is empty or gone beside the keys of a platform, a lost key. The
/// server either comes up with nothing lost or refuses with exit code 3 and says what to restore; it never hangs and
/// never starts a new platform over an old one.
/// </summary>
public sealed class StartupFaultTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", "startup-" + Guid.NewGuid().ToString("N"));

    private string DataDirectory => Path.Combine(_root, "data");

    private string DatabasePath => Path.Combine(DataDirectory, "sharing.db");

    private string KeyDirectory => Path.Combine(DataDirectory, "keys");

    [Fact]
    public async Task A_migration_lock_left_by_a_start_that_was_killed_is_removed_and_the_next_start_comes_up()
    {
        await StartOnceAsync();
        await using (var db = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            // The row EF Core's SQLite migration lock leaves when its process dies while migrating.
            await db.OpenAsync(TestContext.Current.CancellationToken);
            await using var insert = db.CreateCommand();
            insert.CommandText = "INSERT INTO \"__EFMigrationsLock\" (\"Id\", \"Timestamp\") VALUES (1, '2026-12-01 10:00:00+00:00')";
            await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        using var server = Start();
        await server.WaitUntilHealthyAsync(Deadline);
        Assert.Contains("Removed the migration lock", server.AllOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zero-length")]
    [InlineData("missing")]
    public async Task A_database_that_is_empty_or_gone_beside_the_keys_of_a_platform_is_refused_and_nothing_is_overwritten(string fault)
    {
        await StartOnceAsync();
        var before = Fingerprints();
        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" })
        {
            File.Delete(file);
        }

        if (fault == "zero-length")
        {
            await File.WriteAllBytesAsync(DatabasePath, [], TestContext.Current.CancellationToken);
        }

        using var server = Start();
        Assert.Equal(3, await server.WaitForExitAsync(Deadline));
        Assert.Contains("lost database, not a first start", server.AllOutput, StringComparison.Ordinal);
        Assert.Contains("restore it from its backup", server.AllOutput, StringComparison.Ordinal);
        Assert.Equal(before, Fingerprints());
        Assert.True(!File.Exists(DatabasePath) || new FileInfo(DatabasePath).Length == 0, "The refused start created a database.");
    }

    [Theory]
    [InlineData("server-secret.key")]
    [InlineData("audit-signing-p256.jwk")]
    [InlineData("token-signing-p256.jwk")]
    [InlineData("token-encryption-aes256.key")]
    public async Task A_missing_key_beside_a_database_that_holds_a_platform_is_refused_and_never_replaced(string key)
    {
        await StartOnceAsync();
        File.Delete(Path.Combine(KeyDirectory, key));

        using var server = Start();
        Assert.Equal(3, await server.WaitForExitAsync(Deadline));
        Assert.Contains($"has lost {key}", server.AllOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(KeyDirectory, key)), "The refused start made a new " + key);
    }

    [Fact]
    public async Task The_keys_of_a_platform_without_its_state_file_and_database_are_refused_too()
    {
        // A data directory from before the state file, or one whose state file was removed: keys alone say enough.
        await StartOnceAsync();
        File.Delete(DatabasePath);
        File.Delete(Path.Combine(KeyDirectory, "platform-state.json"));

        using var server = Start();
        Assert.Equal(3, await server.WaitForExitAsync(Deadline));
        Assert.Contains("lost database, not a first start", server.AllOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_start_stopped_after_making_its_keys_resumes_with_the_same_keys()
    {
        // As a start killed between writing its keys and bootstrapping the database leaves it.
        await StartOnceAsync();
        var keys = Fingerprints(KeyDirectory);
        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" })
        {
            File.Delete(file);
        }

        Directory.Delete(Path.Combine(DataDirectory, "bootstrap"), recursive: true);
        var state = Path.Combine(KeyDirectory, "platform-state.json");
        await File.WriteAllTextAsync(state, (await File.ReadAllTextAsync(state, TestContext.Current.CancellationToken)).Replace("\"initialised\"", "\"initialising\"", StringComparison.Ordinal), TestContext.Current.CancellationToken);

        using var server = Start();
        await server.WaitUntilHealthyAsync(Deadline);
        Assert.Equal(keys.Where(k => !k.Key.EndsWith("platform-state.json", StringComparison.Ordinal)),
            Fingerprints(KeyDirectory).Where(k => !k.Key.EndsWith("platform-state.json", StringComparison.Ordinal)));
        Assert.True(File.Exists(Path.Combine(DataDirectory, "bootstrap", "platform-admin.jwk")));
        Assert.Contains("\"initialised\"", await File.ReadAllTextAsync(state, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private ServerProcess Start() =>
        ServerProcess.Start([new("Platform:DataDirectory", DataDirectory)], ServerProcess.FreePort(), ServerProcess.FreePort());

    /// <summary>A first start that completes, then a kill.</summary>
    private async Task StartOnceAsync()
    {
        using var server = Start();
        await server.WaitUntilHealthyAsync(Deadline);
        server.Kill();
    }

    /// <summary>A hash of every file under <paramref name="directory"/> (the data directory by default), by path.</summary>
    private Dictionary<string, string> Fingerprints(string? directory = null) =>
        Directory.EnumerateFiles(directory ?? DataDirectory, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(DatabasePath, StringComparison.Ordinal))
            .ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}
