using Microsoft.EntityFrameworkCore;

namespace SharingPlatform.Server.Data;

// One subclass per provider: each owns the migrations under Data/Migrations/<Provider>/.

public sealed class SqliteSharingDbContext(DbContextOptions<SqliteSharingDbContext> options) : SharingDbContext(options);

public sealed class PostgresSharingDbContext(DbContextOptions<PostgresSharingDbContext> options) : SharingDbContext(options);

public sealed class SqlServerSharingDbContext(DbContextOptions<SqlServerSharingDbContext> options) : SharingDbContext(options);
