namespace SharingPlatform.Server.Audit;

/// <summary>The chain's head: one row whose lock serializes appends, so the chain never forks or gaps, even across replicas.</summary>
public sealed class AuditHead
{
    public const int SingletonId = 1;

    public int Id { get; set; }

    public long Size { get; set; }

    public byte[] Hash { get; set; } = new byte[32];
}
