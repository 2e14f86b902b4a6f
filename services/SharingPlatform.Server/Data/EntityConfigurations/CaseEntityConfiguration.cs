using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Data.EntityConfigurations;

internal sealed class CaseEntityConfiguration : IEntityTypeConfiguration<CaseEntity>
{
    public void Configure(EntityTypeBuilder<CaseEntity> builder)
    {
        builder.ToTable("cases");
        builder.Property(c => c.CaseId).HasMaxLength(63);
        builder.HasIndex(c => new { c.TenantId, c.CaseId }).IsUnique();
        // The change feed reads (tenant, seq > cursor) in seq order.
        builder.HasIndex(c => new { c.TenantId, c.Seq });
        // ListCases pages by (tenant, id).
        builder.HasIndex(c => new { c.TenantId, c.Id });
        // CountCases reads a tenant's facts from this index alone: the rows themselves carry ~1 KB of content each.
        builder.HasIndex(c => new { c.TenantId, c.Retracted, c.Status, c.Classification, c.ConsentScope, c.Month, c.Id });
        builder.HasIndex(c => c.Seq).IsUnique();
        builder.HasMany(c => c.EventTypes).WithOne().HasForeignKey(e => e.CaseRowId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Regions).WithOne().HasForeignKey(r => r.CaseRowId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<TenantEntity>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(c => c.Etag).HasMaxLength(32);
    }
}

internal sealed class CaseEventTypeConfiguration : IEntityTypeConfiguration<CaseEventType>
{
    public void Configure(EntityTypeBuilder<CaseEventType> builder)
    {
        builder.ToTable("case_event_types");
        // The key serves the policy's EXISTS (row, type) and the count's join by row.
        builder.HasKey(e => new { e.CaseRowId, e.EventType });
    }
}

internal sealed class CaseRegionConfiguration : IEntityTypeConfiguration<CaseRegion>
{
    public void Configure(EntityTypeBuilder<CaseRegion> builder)
    {
        builder.ToTable("case_regions");
        builder.HasKey(r => new { r.CaseRowId, r.Region });
        builder.Property(r => r.Region).HasMaxLength(16);
    }
}
