using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingPlatform.Server.Sharing;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Data.EntityConfigurations;

internal sealed class AgreementEntityConfiguration : IEntityTypeConfiguration<AgreementEntity>
{
    public void Configure(EntityTypeBuilder<AgreementEntity> builder)
    {
        builder.ToTable("agreements");
        builder.Property(a => a.AgreementId).HasMaxLength(40);
        builder.HasIndex(a => new { a.GrantorTenantId, a.AgreementId }).IsUnique();
        builder.HasIndex(a => a.GranteeTenantId);
        builder.Property(a => a.Fields).HasMaxLength(400);
        builder.Property(a => a.EventTypes).HasMaxLength(500);
        builder.Property(a => a.Statuses).HasMaxLength(500);
        builder.Property(a => a.Regions).HasMaxLength(1100);
        builder.HasOne<TenantEntity>().WithMany().HasForeignKey(a => a.GrantorTenantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<TenantEntity>().WithMany().HasForeignKey(a => a.GranteeTenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
