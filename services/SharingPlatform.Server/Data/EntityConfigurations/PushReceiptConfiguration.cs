using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Data.EntityConfigurations;

internal sealed class PushReceiptConfiguration : IEntityTypeConfiguration<PushReceipt>
{
    public void Configure(EntityTypeBuilder<PushReceipt> builder)
    {
        builder.ToTable("push_receipts");
        builder.Property(r => r.RequestId).HasMaxLength(64);
        builder.HasIndex(r => new { r.TenantId, r.RequestId }).IsUnique();
        builder.HasIndex(r => r.CreateTime);
        builder.HasOne<TenantEntity>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
