using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Hosting;

/// <summary>An embedded database that an earlier start (or a restore, or a copy) left readable by everyone.</summary>
public sealed class WideDatabaseFixture : SqliteFixture
{
    public const UnixFileMode Wide = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public LogCapture Logs { get; } = new();

    protected override void ConfigureHost(IWebHostBuilder host) =>
        host.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Logs));

    protected override Task<string?> CreateDatabaseAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        foreach (var name in DatabaseFileTests.Files)
        {
            var path = Path.Combine(DataDirectory, name);
            File.WriteAllBytes(path, []);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, Wide);
            }
        }

        return base.CreateDatabaseAsync();
    }
}

/// <summary>The SQLite database and its -wal and -shm files are readable and writable by the server's user only.</summary>
public sealed class DatabaseFileTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>, IClassFixture<WideDatabaseFixture>
{
    public static readonly string[] Files = ["sharing.db", "sharing.db-wal", "sharing.db-shm"];

    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task A_new_database_and_its_wal_and_shm_are_owner_only_after_a_push()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes");
            return;
        }

        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();

        await connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName("c1"))));

        foreach (var name in Files)
        {
            var path = Path.Combine(fixture.DataDirectory, name);
            Assert.True(File.Exists(path), name + " is missing");
            Assert.Equal((name, OwnerReadWrite), (name, File.GetUnixFileMode(path)));
        }

        Assert.Equal(OwnerReadWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(fixture.DataDirectory));
    }
}

/// <summary>A database left readable by others is made owner-only at start, and the log says so once.</summary>
public sealed class WideDatabaseFileTests(WideDatabaseFixture fixture) : IClassFixture<WideDatabaseFixture>
{
    [Fact]
    public async Task An_existing_database_readable_by_others_is_made_owner_only_at_start_and_logged_once()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes");
            return;
        }

        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();

        await connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName("c1"))));
        var pulled = await connection.Cases.GetCaseAsync(new GetCaseRequest { Name = client.CaseName("c1") });

        Assert.Equal(client.CaseName("c1"), pulled.Name);
        foreach (var name in DatabaseFileTests.Files)
        {
            Assert.Equal((name, UnixFileMode.UserRead | UnixFileMode.UserWrite), (name, File.GetUnixFileMode(Path.Combine(fixture.DataDirectory, name))));
        }

        Assert.Single(fixture.Logs.Lines, l => l.EventId.Name == "DatabaseFilesRestricted");
    }
}
