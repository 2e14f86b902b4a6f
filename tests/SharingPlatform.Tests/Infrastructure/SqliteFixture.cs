extern alias server;

using Microsoft.Data.Sqlite;
using server::SharingPlatform.Server.Data;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>The platform on its default embedded database, a fresh file per test class.</summary>
public class SqliteFixture : PlatformFixture
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    /// <summary>The database file (the server's default place for it).</summary>
    public virtual string DatabasePath => Path.Combine(DataDirectory, "sharing.db");

    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(null);

    /// <summary>Takes the database's write lock (<c>BEGIN IMMEDIATE</c>) on a connection of the test's own; disposing
    /// the connection closes it (it is not pooled), which rolls back and lets go.</summary>
    public async Task<SqliteConnection> HoldWriteLockAsync()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        await begin.ExecuteNonQueryAsync();
        return connection;
    }
}
