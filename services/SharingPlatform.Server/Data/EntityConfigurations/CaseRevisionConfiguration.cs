using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingPlatform.Server.Cases;

namespace SharingPlatform.Server.Data.EntityConfigurations;

internal sealed class CaseRevisionConfiguration : IEntityTypeConfiguration<CaseRevision>
{
    public void Configure(EntityTypeBuilder<CaseRevision> builder)
    {
        builder.ToTable("case_revisions");
        builder.HasKey(r => new { r.CaseRowId, r.Seq });
        builder.Property(r => r.EventTypes).HasMaxLength(500);
        builder.Property(r => r.Regions).HasMaxLength(1100);
        builder.HasOne(r => r.Case).WithMany().HasForeignKey(r => r.CaseRowId).OnDelete(DeleteBehavior.Cascade);
    }
}
