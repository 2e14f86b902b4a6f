using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SharingPlatform.Server.Data;

// Used only by `dotnet ef migrations add`: the connection strings are placeholders and are never opened.

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteSharingDbContext>
{
    public SqliteSharingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSharingDbContext>().UseSqlite("Data Source=design.db").UseOpenIddict().Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresSharingDbContext>
{
    public PostgresSharingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresSharingDbContext>().UseNpgsql("Host=localhost;Database=design").UseOpenIddict().Options);
}

internal sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerSharingDbContext>
{
    public SqlServerSharingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerSharingDbContext>().UseSqlServer("Server=localhost;Database=design").UseOpenIddict().Options);
}
