extern alias server;

using Npgsql;
using server::SharingPlatform.Server.Data;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>
/// The platform on a real PostgreSQL server named by <c>SHARINGPLATFORM_TEST_POSTGRES</c> (an Npgsql connection
/// string; .ci/run provides one). Each test class gets its own database, dropped afterwards.
/// </summary>
public class PostgresFixture : PlatformFixture
{
    public const string Variable = "SHARINGPLATFORM_TEST_POSTGRES";

    private readonly string _database = "sp_test_" + Guid.NewGuid().ToString("N")[..16];

    public static string? ServerConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string? Unavailable => ServerConnectionString is not null ? null
        // CI must never pass by skipping: there the variable is required.
        : Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "false"
            ? throw new InvalidOperationException($"{Variable} must be set when CI is set; .ci/run provides it.")
            : $"{Variable} is not set; PostgreSQL tests skipped.";

    protected override async Task<string?> CreateDatabaseAsync() => await CreateServerDatabaseAsync(_database);

    protected override Task DropDatabaseAsync() => DropServerDatabaseAsync(_database);

    /// <summary>Creates the empty database <paramref name="name"/> on the test server; returns its connection string.</summary>
    public static async Task<string> CreateServerDatabaseAsync(string name)
    {
        await ExecuteOnServerAsync($"CREATE DATABASE \"{name}\"");
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops <paramref name="name"/> from the test server, cutting the connections still open to it.</summary>
    public static async Task DropServerDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        // Each drop waits for a checkpoint; when many test classes end together that can pass Npgsql's default 30 s.
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync();
    }
}
