extern alias server;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using server::SharingPlatform.Server.Data;

namespace SharingPlatform.Tests.Hosting;

/// <summary>Each provider's migrations describe the current model, so no provider silently lags (SQL Server included, which no test runs against).</summary>
public sealed class MigrationTests
{
    public static TheoryData<string> Providers => ["Sqlite", "Postgres", "SqlServer"];

    [Theory]
    [MemberData(nameof(Providers))]
    public void Migrations_match_the_model(string provider)
    {
        var factoryType = typeof(SharingDbContext).Assembly.GetType($"SharingPlatform.Server.Data.{provider}DesignTimeFactory", throwOnError: true)!;
        var factory = Activator.CreateInstance(factoryType)!;
        using var db = (DbContext)factoryType.GetMethod(nameof(IDesignTimeDbContextFactory<DbContext>.CreateDbContext))!.Invoke(factory, [Array.Empty<string>()])!;

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), $"{provider}: run `dotnet ef migrations add` for this provider");
    }
}
