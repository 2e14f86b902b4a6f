namespace SharingPlatform.Server.Hosting;

/// <summary>Section <c>Demo</c>: <c>--demo</c> sets Enabled and seeds synthetic tenants and records.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Enabled { get; set; }

    /// <summary>Synthetic records per demo tenant.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 100_000)]
    public int RecordsPerTenant { get; set; } = 150;
}
