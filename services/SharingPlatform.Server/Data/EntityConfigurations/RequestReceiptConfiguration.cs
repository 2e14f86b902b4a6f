using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Data.EntityConfigurations;

internal sealed class RequestReceiptConfiguration : IEntityTypeConfiguration<RequestReceipt>
{
    public void Configure(EntityTypeBuilder<RequestReceipt> builder)
    {
        builder.ToTable("request_receipts");
        builder.Property(r => r.Method).HasMaxLength(100);
        builder.Property(r => r.RequestId).HasMaxLength(64);
        builder.HasIndex(r => new { r.TenantId, r.Method, r.RequestId }).IsUnique();
        builder.HasIndex(r => r.CreateTime);
        builder.HasOne<TenantEntity>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
