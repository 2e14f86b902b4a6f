extern alias server;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using server::SharingPlatform.Server.Data;
using SharingPlatform.Tests.Infrastructure;

namespace SharingPlatform.Tests.Hosting;

/// <summary>
/// The committed SQL Server script is exactly what the SQL Server migrations generate, so a migration added without
/// regenerating it fails here. No SQL Server runs here: the script is generated (from the design-time context, whose
/// connection is never opened) and compared, never executed.
/// </summary>
public sealed class SqlServerScriptTests
{
    private const string ScriptPath = "services/SharingPlatform.Server/Data/Migrations/SqlServer/idempotent.sql";
    private const string WriteVariable = "SHARINGPLATFORM_WRITE_SQLSERVER_SCRIPT";

    [Fact]
    public void Committed_script_matches_the_migrations()
    {
        var generated = Generate();
        var path = Path.Combine(Repository.Root, ScriptPath);
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            File.WriteAllText(path, generated);
        }

        var committed = File.Exists(path) ? WithLf(File.ReadAllText(path)) : "";
        if (committed != generated)
        {
            Assert.Fail(
                (File.Exists(path) ? $"{ScriptPath} is not what the SQL Server migrations generate (first difference at line {FirstDifferentLine(committed, generated)}). " : $"{ScriptPath} is missing. ") +
                $"Regenerate it with `{WriteVariable}=1 dotnet test tests/SharingPlatform.Tests --filter FullyQualifiedName~{nameof(SqlServerScriptTests)}` and commit it.");
        }
    }

    /// <summary>Every migration, each guarded by the migrations history table, so the script can run on a database at any earlier migration.</summary>
    private static string Generate()
    {
        using var db = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var script = db.GetService<IMigrator>().GenerateScript(fromMigration: null, toMigration: null, MigrationsSqlGenerationOptions.Idempotent);
        return WithLf(script);
    }

    // The generator writes Environment.NewLine and a checkout may convert line endings; nothing else is normalised.
    private static string WithLf(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static int FirstDifferentLine(string committed, string generated)
    {
        var a = committed.Split('\n');
        var b = generated.Split('\n');
        var line = 0;
        while (line < a.Length && line < b.Length && a[line] == b[line])
        {
            line++;
        }

        return line + 1;
    }
}
