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

    protected override async Task<string?> CreateDatabaseAsync()
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = _database }.ConnectionString;
    }

    protected override async Task DropDatabaseAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        // Each drop waits for a checkpoint; when many test classes end together that can pass Npgsql's default 30 s.
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync();
    }
}
