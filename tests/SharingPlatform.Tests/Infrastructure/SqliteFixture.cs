extern alias server;

using server::SharingPlatform.Server.Data;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>The platform on its default embedded database, a fresh file per test class.</summary>
public class SqliteFixture : PlatformFixture
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(null);
}
