using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Data.EntityConfigurations;

internal sealed class TenantClientConfiguration : IEntityTypeConfiguration<TenantClient>
{
    public void Configure(EntityTypeBuilder<TenantClient> builder)
    {
        builder.ToTable("clients");
        builder.Property(c => c.ClientId).HasMaxLength(100);
        builder.HasIndex(c => c.ClientId).IsUnique();
        builder.Property(c => c.Roles).HasMaxLength(200);
        builder.HasOne(c => c.Tenant).WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.Ignore(c => c.RoleSet);
    }
}
