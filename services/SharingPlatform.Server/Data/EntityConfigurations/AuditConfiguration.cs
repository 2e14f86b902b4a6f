using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingPlatform.Server.Audit;

namespace SharingPlatform.Server.Data.EntityConfigurations;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEventEntity>
{
    public void Configure(EntityTypeBuilder<AuditEventEntity> builder)
    {
        builder.ToTable("audit_events");
        builder.HasKey(e => e.Seq);
        builder.Property(e => e.Seq).ValueGeneratedNever();
        builder.Property(e => e.ActorClient).HasMaxLength(100);
        builder.Property(e => e.ActorTenant).HasMaxLength(63);
        builder.Property(e => e.Action).HasMaxLength(100);
        builder.Property(e => e.Purpose).HasMaxLength(200);
        builder.Property(e => e.Outcome).HasMaxLength(64);
        builder.Property(e => e.RequestId).HasMaxLength(100);
        builder.Property(e => e.Tenants).HasMaxLength(2000);
        builder.Property(e => e.Salt).HasMaxLength(16);
        builder.Property(e => e.ContentDigest).HasMaxLength(32);
        builder.Property(e => e.PreviousHash).HasMaxLength(32);
        builder.Property(e => e.Hash).HasMaxLength(32);
        builder.HasIndex(e => e.Time);
        builder.Ignore(e => e.ResourceList);
    }
}

internal sealed class AuditHeadConfiguration : IEntityTypeConfiguration<AuditHead>
{
    public void Configure(EntityTypeBuilder<AuditHead> builder)
    {
        builder.ToTable("audit_head");
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.Hash).HasMaxLength(32);
        builder.HasData(new AuditHead { Id = AuditHead.SingletonId, Size = 0, Hash = new byte[32] });
    }
}
