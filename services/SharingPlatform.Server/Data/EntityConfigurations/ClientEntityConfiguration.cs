using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Data.EntityConfigurations;

internal sealed class ClientEntityConfiguration : IEntityTypeConfiguration<ClientEntity>
{
    public void Configure(EntityTypeBuilder<ClientEntity> builder)
    {
        builder.ToTable("clients");
        builder.Property(c => c.ClientId).HasMaxLength(100);
        builder.HasIndex(c => c.ClientId).IsUnique();
        builder.Property(c => c.Roles).HasMaxLength(200);
        builder.Property(c => c.KeyId).HasMaxLength(100);
        builder.HasOne(c => c.Tenant).WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.Ignore(c => c.RoleSet);
    }
}
