using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Data.EntityConfigurations;

internal sealed class TenantEntityConfiguration : IEntityTypeConfiguration<TenantEntity>
{
    public void Configure(EntityTypeBuilder<TenantEntity> builder)
    {
        builder.ToTable("tenants");
        builder.Property(t => t.Slug).HasMaxLength(63);
        builder.HasIndex(t => t.Slug).IsUnique();
        builder.Property(t => t.DisplayName).HasMaxLength(200);
        builder.Ignore(t => t.ResourceName);
    }
}
