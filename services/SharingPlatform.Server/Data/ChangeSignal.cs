namespace SharingPlatform.Server.Data;

/// <summary>
/// Wakes this process's following pulls when the change sequence may have advanced; one per process. A follower takes
/// <see cref="Next"/> before it reads the high-water mark, so a commit after that read always completes the task it
/// holds, and one before it is already visible to the read. A pulse carries nothing: followers read what changed
/// through the feed, as any pull does. Who pulses depends on the database (see <see cref="CommitPulse"/>,
/// <see cref="PostgresChangeListener"/>, <see cref="CommittedSequenceWatch"/>).
/// </summary>
public sealed class ChangeSignal
{
    private TaskCompletionSource _next = NewSource();

    /// <summary>Completes at the first pulse after it was taken.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    // Continuations run on the thread pool, never inside the committing writer or the listener's read loop.
    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
