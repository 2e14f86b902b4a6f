using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;
using SharingPlatform.Tests.Infrastructure;

namespace SharingPlatform.Tests.Hosting;

/// <summary>
/// A start that cannot succeed, as a new operator meets it, through the real server process: a bad setting, a port
/// already taken, a database out of reach or migrated by a newer server. Each ends with one line that names the
/// setting or the cause, no stack trace, the documented exit code (README, Exit codes), and nothing written.
/// </summary>
public sealed class StartupRefusalTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", "refusal-" + Guid.NewGuid().ToString("N"));

    private string DataDirectory => Path.Combine(_root, "data");

    [Theory]
    [InlineData("Database:Provider", "Bogus", "Database:Provider cannot be read as one of Sqlite, Postgres, SqlServer")]
    [InlineData("Identity:AccessTokenLifetime", "01:00:00", "Identity:AccessTokenLifetime: The field AccessTokenLifetime must be between 00:05:00 and 00:15:00")]
    [InlineData("Feed:HeartbeatSecond", "5", "Feed:HeartbeatSecond is not a setting")]
    [InlineData("Database:Provider", "Postgres", "The field ConnectionString is required for Postgres")]
    [InlineData("Demo:RecordsPerTenant", "-1", "Demo:RecordsPerTenant: The field RecordsPerTenant must be between 0 and 100000")]
    [InlineData("Endpoints:GrpcUrl", "http://192.0.2.1:5081", "Endpoints:GrpcUrl listens beyond loopback without TLS")]
    [InlineData("Endpoints:CertificatePath", "/any/server.p12", "Endpoints:IdentityUrl is http while a certificate is configured")]
    [InlineData("Telemetry:OtlpEndpoint", "collector:4317", "Telemetry:OtlpEndpoint (or OTEL_EXPORTER_OTLP_ENDPOINT) must be an http(s) URL")]
    public async Task A_bad_setting_is_one_line_naming_its_key_exit_code_2_and_nothing_written(string key, string value, string expected)
    {
        using var server = Start([new(key, value)]);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        Assert.Contains(expected, server.AllOutput, StringComparison.Ordinal);
        AssertOneLineWithoutStackTrace(server);
        Assert.False(Directory.Exists(DataDirectory), "A start refused for its settings created the data directory.");
    }

    [Fact]
    public async Task An_unreadable_certificate_is_a_configuration_refusal()
    {
        using var server = Start(
        [
            new("Endpoints:CertificatePath", "/nonexistent/server.p12"),
            new("Endpoints:IdentityUrl", $"https://127.0.0.1:{ServerProcess.FreePort()}"),
            new("Endpoints:GrpcUrl", $"https://127.0.0.1:{ServerProcess.FreePort()}"),
        ]);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        Assert.Contains("Endpoints:CertificatePath (/nonexistent/server.p12) cannot be read", server.AllOutput, StringComparison.Ordinal);
        AssertOneLineWithoutStackTrace(server);
        Assert.False(Directory.Exists(DataDirectory), "A start refused for its certificate created the data directory.");
    }

    [Fact]
    public async Task A_value_in_the_wrong_key_is_never_repeated_in_the_refusal()
    {
        // As when an operator pastes a password into the line above the one meant for it.
        const string secret = "correct-horse-battery-staple";
        using var server = Start([new("Identity:AccessTokenLifetime", secret), new("RateLimits:CallBurst", secret)]);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        Assert.Contains("Identity:AccessTokenLifetime cannot be read as a duration", server.AllOutput, StringComparison.Ordinal);
        Assert.Contains("RateLimits:CallBurst cannot be read as a whole number", server.AllOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, server.AllOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    [InlineData("Testing")]
    public async Task Audit_off_outside_the_benchmark_is_a_configuration_refusal(string environment)
    {
        // The benchmark's switch that turns the audit off cannot be used by a real deployment.
        using var server = Start([new("environment", environment), new("Audit:Disabled", "true")]);

        Assert.Equal(2, await server.WaitForExitAsync(Deadline));
        Assert.Contains($"Audit:Disabled is for the benchmark only (environment Benchmark or Development); it is refused in '{environment}'", server.AllOutput, StringComparison.Ordinal);
        AssertOneLineWithoutStackTrace(server);
    }

    [Fact]
    public async Task A_port_in_use_is_exit_code_4_naming_the_setting_before_anything_is_written()
    {
        using var holder = new TcpListener(IPAddress.Loopback, ServerProcess.FreePort());
        holder.Start();
        var taken = ((IPEndPoint)holder.LocalEndpoint).Port;

        using var server = ServerProcess.Start([new("Platform:DataDirectory", DataDirectory)], ServerProcess.FreePort(), taken);

        Assert.Equal(4, await server.WaitForExitAsync(Deadline));
        Assert.Contains($"Endpoints:GrpcUrl (127.0.0.1:{taken}): the port is in use by another process", server.AllOutput, StringComparison.Ordinal);
        AssertOneLineWithoutStackTrace(server);
        Assert.False(Directory.Exists(DataDirectory), "A start refused for its port created the data directory (the database, keys or bootstrap files).");
    }

    [Fact]
    public async Task An_unreachable_database_is_exit_code_5_without_its_password_and_without_keys_written()
    {
        const string password = "pw-never-printed-9f3a";
        var closed = ServerProcess.FreePort(); // nothing listens there
        using var server = Start(
        [
            new("Database:Provider", "Postgres"),
            new("Database:ConnectionString", $"Host=127.0.0.1;Port={closed};Username=sharing;Password={password};Database=sharing;Timeout=5"),
        ]);

        Assert.Equal(5, await server.WaitForExitAsync(Deadline));
        Assert.Contains("cannot be reached: Failed to connect to 127.0.0.1:" + closed, server.AllOutput, StringComparison.Ordinal);
        AssertOneLineWithoutStackTrace(server);
        Assert.DoesNotContain(password, server.AllOutput, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(DataDirectory, "keys")), "A start that could not reach its database wrote keys.");
        Assert.False(Directory.Exists(Path.Combine(DataDirectory, "bootstrap")), "A start that could not reach its database wrote bootstrap files.");
    }

    [Fact]
    public async Task A_database_migrated_by_a_newer_server_is_refused_and_left_as_it_was()
    {
        using (var first = Start([]))
        {
            await first.WaitUntilHealthyAsync(Deadline);
            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync(Deadline));
        }

        var database = Path.Combine(DataDirectory, "sharing.db");
        await ExecuteAsync(database, "INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('29991231000000_FromTheFuture', '99.0.0')");
        var before = await File.ReadAllBytesAsync(database, TestContext.Current.CancellationToken);

        using var server = Start([]);

        Assert.Equal(3, await server.WaitForExitAsync(Deadline));
        Assert.Contains("was upgraded by a newer version of the server: it has 1 migration(s) this version does not know (29991231000000_FromTheFuture)", server.AllOutput, StringComparison.Ordinal);
        AssertOneLineWithoutStackTrace(server);
        Assert.Equal(before, await File.ReadAllBytesAsync(database, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Started_from_another_directory_it_reads_its_own_settings_and_keeps_a_relative_data_directory_beside_itself()
    {
        var elsewhere = Path.Combine(_root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        var relative = Path.Combine("test-data", Guid.NewGuid().ToString("N"));
        var beside = Path.Combine(AppContext.BaseDirectory, relative);
        try
        {
            // Information level on: the server's appsettings.json still silences EF Core's SQL log, if it is read.
            using var server = ServerProcess.Start(
                [new("Platform:DataDirectory", relative), new("Logging:LogLevel:Default", "Information")],
                ServerProcess.FreePort(), ServerProcess.FreePort(), workingDirectory: elsewhere);
            await server.WaitUntilHealthyAsync(Deadline);

            Assert.True(File.Exists(Path.Combine(beside, "sharing.db")), "The relative data directory is not beside the application.");
            Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
            Assert.Contains("gRPC API (HTTP/2)", server.AllOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Executed DbCommand", server.AllOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(beside, recursive: true);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private ServerProcess Start(IEnumerable<KeyValuePair<string, string>> settings) =>
        ServerProcess.Start([new("Platform:DataDirectory", DataDirectory), .. settings], ServerProcess.FreePort(), ServerProcess.FreePort());

    /// <summary>The refusal is the one line of the output that says so, and nothing looks like a stack frame.</summary>
    private static void AssertOneLineWithoutStackTrace(ServerProcess server)
    {
        Assert.Single(server.AllOutput.Split('\n'), l => l.Contains("The server did not start:", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", server.AllOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", server.AllOutput, StringComparison.Ordinal);
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
