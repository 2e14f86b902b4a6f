using Npgsql;

namespace SharingPlatform.Benchmarks;

/// <summary>A database of its own per size on the PostgreSQL server the connection string names (the user must be
/// allowed to create databases), dropped afterwards.</summary>
internal sealed class PostgresDatabase(string maintenance, string name)
{
    public string ConnectionString { get; } = new NpgsqlConnectionStringBuilder(maintenance) { Database = name }.ConnectionString;

    public static async Task<PostgresDatabase> CreateAsync(string maintenance, string name, CancellationToken cancellationToken)
    {
        var database = new PostgresDatabase(maintenance, name);
        await database.ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", cancellationToken);
        await database.ExecuteAsync($"CREATE DATABASE \"{name}\"", cancellationToken);
        return database;
    }

    public Task DropAsync() => ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", CancellationToken.None);

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(maintenance);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
