using System.ComponentModel.DataAnnotations;

namespace SharingPlatform.Server.Access;

/// <summary>
/// Section <c>RateLimits</c>. The defaults leave a partner's normal work (a sync of 100,000 records in batches of 500,
/// a token every few minutes) far below every limit. Limits are per server process: replicas each apply them.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Access tokens one client may obtain per minute (one lasts 5-15 minutes).</summary>
    [Range(1, 100_000)]
    public int TokensPerClientPerMinute { get; set; } = 30;

    /// <summary>gRPC calls one client may start per second, sustained.</summary>
    [Range(1, 1_000_000)]
    public int CallsPerClientPerSecond { get; set; } = 100;

    /// <summary>gRPC calls one client may start at once after a quiet spell.</summary>
    [Range(1, 1_000_000)]
    public int CallBurst { get; set; } = 200;

    /// <summary>
    /// Requests per minute from one source address (an IPv4 address or an IPv6 /64) that no valid token identifies:
    /// every token request, and gRPC calls without a valid token. The two listeners count separately.
    /// </summary>
    [Range(1, 1_000_000)]
    public int AnonymousRequestsPerMinute { get; set; } = 120;

    /// <summary>
    /// Refusals of one kind from one source within this window are one audit event for the first and one counted
    /// event ("refusals=N") for the rest, written when the window closes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RefusalWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Sources whose refusals are counted separately within a window; beyond it they share one count.</summary>
    [Range(1, 1_000_000)]
    public int MaxTrackedSources { get; set; } = 10_000;
}
