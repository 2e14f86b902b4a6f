using Grpc.Core;
using Microsoft.Extensions.Options;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Data;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// Keeps a PullChanges call open (<c>follow</c>). Once a pass of the feed has caught up it waits for the process's
/// <see cref="ChangeSignal"/> or the heartbeat, then runs another pass from where the last one ended: new changes
/// leave within about a second of their commit, and an agreement created or revoked meanwhile backfills or tombstones
/// as in any pull, since every pass reads the agreements again. Before every later pass the call is authorized again,
/// as a new call would be: a disabled client, a rotated key, a suspended tenant or a lost role ends the stream with
/// that refusal before anything more is read. A pass that finds nothing sends nothing; after a
/// heartbeat interval without a message an empty one goes out (caught up, the cursor last sent), which carries no
/// record and so is not audited. The call ends at its deadline or cancellation (without an error) or once
/// <c>max_changes</c> is spent. When the process begins to shut down (SIGTERM) it ends between passes with
/// UNAVAILABLE, reason SERVER_STOPPING: every message sent carried its cursor, so the client resumes elsewhere with
/// nothing lost, and the shutdown does not wait for the host's timeout and then cut the stream.
/// </summary>
public sealed class LiveFeed(
    SharingDbContext db, ChangeSignal signal, FollowSlots slots, IOptions<FeedOptions> options, IHostApplicationLifetime lifetime, TimeProvider time)
{
    /// <summary>Least time between the starts of two passes of one stream, however often commits wake it: bounds what a busy platform costs per follower.</summary>
    public static readonly TimeSpan MinPassInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// One pass of the feed from <paramref name="cursor"/>, written to <paramref name="stream"/>: returns the cursor after
    /// it, the changes still allowed and whether it caught up. A <paramref name="quiet"/> pass sends no closing message
    /// when it has no changes.
    /// </summary>
    public delegate Task<(PullCursor Cursor, long Remaining, bool CaughtUp)> Pass(
        IServerStreamWriter<PullChangesResponse> stream, PullCursor cursor, long remaining, bool quiet);

    public async Task RunAsync(Caller caller, PullCursor cursor, long remaining, Pass pass, IServerStreamWriter<PullChangesResponse> stream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var stopping = lifetime.ApplicationStopping;
        if (!slots.TryTake(caller.ClientId))
        {
            RpcErrors.ResourceExhausted("TOO_MANY_FOLLOWS",
                $"This client already holds {options.Value.MaxFollowsPerClient} following pulls open on this server; close one, or pull without follow.");
        }

        var sent = new SentMessages(stream, time);
        try
        {
            var heartbeat = options.Value.Heartbeat;
            for (var later = false; ; later = true)
            {
                // Taken before the pass reads the high-water mark: a commit after that read always completes it.
                var next = signal.Next;
                var started = time.GetTimestamp();
                if (later && stopping.IsCancellationRequested)
                {
                    throw RpcErrors.ServerStopping(); // a pass that stopped short ends here too
                }

                if (later)
                {
                    await CallerInterceptor.AuthorizeAsync(db, context);
                }

                var result = await pass(sent, cursor, remaining, quiet: later);
                (cursor, remaining) = (result.Cursor, result.Remaining);
                if (remaining == 0)
                {
                    return;
                }

                if (!result.CaughtUp)
                {
                    continue; // a bounded pass stopped short: go on at once
                }

                if (sent.Idle >= heartbeat)
                {
                    await sent.HeartbeatAsync(cancellationToken);
                }

                await WaitAsync(next, heartbeat - sent.Idle, stopping, cancellationToken);
                if (stopping.IsCancellationRequested)
                {
                    throw RpcErrors.ServerStopping();
                }

                var since = time.GetElapsedTime(started);
                if (since < MinPassInterval)
                {
                    await Task.Delay(MinPassInterval - since, time, cancellationToken);
                }
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The deadline passed or the caller left, and whatever the interrupted read or write threw is its doing. A
            // stream that delivered something simply ends (each message was recorded as it went); one that delivered
            // nothing is a cancelled call, as any pull cut short before its first message.
            if (!sent.Any)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
        finally
        {
            slots.Release(caller.ClientId);
        }
    }

    /// <summary>Until a pulse, <paramref name="timeout"/> or <paramref name="stopping"/>; the timer is dropped as soon as one comes.</summary>
    private async Task WaitAsync(Task next, TimeSpan timeout, CancellationToken stopping, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        await Task.WhenAny(next, Task.Delay(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero, time, stop.Token));
        await stop.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>The call's stream, remembering when it last sent a message and with which cursor.</summary>
    private sealed class SentMessages(IServerStreamWriter<PullChangesResponse> inner, TimeProvider time) : IServerStreamWriter<PullChangesResponse>
    {
        private string _cursor = "";
        private long _last = time.GetTimestamp();

        public bool Any { get; private set; }

        public TimeSpan Idle => time.GetElapsedTime(_last);

        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(PullChangesResponse message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(PullChangesResponse message, CancellationToken cancellationToken)
        {
            await inner.WriteAsync(message, cancellationToken);
            _cursor = message.NextCursor;
            _last = time.GetTimestamp();
            Any = true;
        }

        /// <summary>Nothing new, caught up, and the cursor last sent: a heartbeat says nothing about anyone's activity.</summary>
        public Task HeartbeatAsync(CancellationToken cancellationToken) =>
            WriteAsync(new PullChangesResponse { CaughtUp = true, NextCursor = _cursor }, cancellationToken);
    }
}
