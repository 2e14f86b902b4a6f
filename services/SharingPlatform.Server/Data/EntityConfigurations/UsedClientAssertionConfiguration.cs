using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SharingPlatform.Server.Identity;

namespace SharingPlatform.Server.Data.EntityConfigurations;

internal sealed class UsedClientAssertionConfiguration : IEntityTypeConfiguration<UsedClientAssertion>
{
    public void Configure(EntityTypeBuilder<UsedClientAssertion> builder)
    {
        builder.ToTable("used_client_assertions");
        builder.HasKey(a => new { a.ClientId, a.TokenId });
        builder.Property(a => a.ClientId).HasMaxLength(100);
        builder.Property(a => a.TokenId).HasMaxLength(200);
        builder.HasIndex(a => a.ExpireTime);
    }
}
