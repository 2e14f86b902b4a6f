using System.ComponentModel.DataAnnotations;

namespace SharingPlatform.Server.Cases;

/// <summary>Section <c>Feed</c>: the change feed's bounds and following pulls (<c>PullChangesRequest.follow</c>).</summary>
public sealed class FeedOptions
{
    public const string Section = "Feed";

    /// <summary>Seconds without a message after which a following pull sends an empty one, so that proxies keep it open.</summary>
    [Range(1, 300)]
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>Following pulls one client may hold open at once on one server process.</summary>
    [Range(1, 100)]
    public int MaxFollowsPerClient { get; set; } = 4;

    /// <summary>Sequence positions one PullChanges call walks at most before it ends with caught_up false (the client
    /// calls again from its cursor): bounds the work of one call however little of the walk is the caller's.</summary>
    [Range(CaseFeed.Window, long.MaxValue)]
    public long ScanBudget { get; set; } = 1_000_000;

    public TimeSpan Heartbeat => TimeSpan.FromSeconds(HeartbeatSeconds);
}
