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
        builder.HasIndex(c => c.Seq).IsUnique();
        builder.Property(c => c.EventTypes).HasMaxLength(500);
        builder.Property(c => c.Regions).HasMaxLength(1100);
        builder.HasOne<TenantEntity>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(c => c.Etag).HasMaxLength(32);
    }
}
