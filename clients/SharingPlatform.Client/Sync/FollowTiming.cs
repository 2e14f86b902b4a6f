namespace SharingPlatform.Client.Sync;

/// <summary>
/// How <see cref="PullSync.FollowAsync"/> waits. <paramref name="FirstRetryDelay"/> doubles with each call in a row that
/// brings no change, up to <paramref name="MaxRetryDelay"/>; a following stream that sends nothing (not even the server's
/// heartbeat, every 15 s) for <paramref name="SilenceLimit"/> is taken for a dead connection and made again.
/// </summary>
public sealed record FollowTiming(TimeSpan FirstRetryDelay, TimeSpan MaxRetryDelay, TimeSpan SilenceLimit)
{
    /// <summary>1 s doubling to 15 s; a stream silent for 60 s (four missed heartbeats) is dropped.</summary>
    public static FollowTiming Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60));

    /// <summary>The wait before call number <paramref name="attempt"/> (1 for the first retry) of a run without changes.</summary>
    public TimeSpan Delay(int attempt) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks * (1L << Math.Clamp(attempt - 1, 0, 20))));
}
