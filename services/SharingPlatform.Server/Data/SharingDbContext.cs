using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Identity;
using SharingPlatform.Server.Sharing;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Data;

/// <summary>
/// The platform's one DbContext: domain tables plus OpenIddict's stores. Each database provider has a
/// subclass so that it can carry its own migrations (see <see cref="StorageExtensions"/>).
/// </summary>
public abstract class SharingDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<TenantEntity> Tenants => Set<TenantEntity>();

    public DbSet<ClientEntity> Clients => Set<ClientEntity>();

    public DbSet<CaseEntity> Cases => Set<CaseEntity>();

    public DbSet<CaseRevision> CaseRevisions => Set<CaseRevision>();

    public DbSet<AgreementEntity> Agreements => Set<AgreementEntity>();

    public DbSet<PushReceipt> PushReceipts => Set<PushReceipt>();

    public DbSet<Access.RequestReceipt> RequestReceipts => Set<Access.RequestReceipt>();

    public DbSet<SequenceCounter> SequenceCounters => Set<SequenceCounter>();

    public DbSet<UsedClientAssertion> UsedClientAssertions => Set<UsedClientAssertion>();

    public DbSet<AuditEventEntity> AuditEvents => Set<AuditEventEntity>();

    public DbSet<AuditHead> AuditHeads => Set<AuditHead>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(SharingDbContext).Assembly);
        modelBuilder.UseOpenIddict();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC; SQLite would otherwise hand them back as DateTimeKind.Unspecified.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }
}
