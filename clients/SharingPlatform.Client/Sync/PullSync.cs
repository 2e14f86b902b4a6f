using Grpc.Core;
using SharingPlatform.V1;

namespace SharingPlatform.Client.Sync;

/// <summary>What a pull did.</summary>
public sealed record PullSummary(int Upserts, int Deletions, int Held, bool CaughtUp);

/// <summary>
/// Pulls the caller's feed into a <see cref="LocalView"/>, one message at a time, each applied with its cursor. Every
/// call starts from the stored cursor, so a call that ends early, drops, or is killed with the process is simply made
/// again: nothing lost, nothing doubled.
/// </summary>
public static class PullSync
{
    /// <summary>Calls in a row that fail (or send nothing) before a pull gives up.</summary>
    public const int MaxAttempts = 5;

    /// <summary>Pulls until caught up. A call the server ends early (<c>caught_up</c> false) is followed by another.</summary>
    public static async Task<PullSummary> PullAsync(
        CaseService.CaseServiceClient cases, string parent, LocalView view, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        var pull = new Pull(cases, parent, view, progress);
        for (var failures = 0; ;)
        {
            var call = await pull.CallAsync(follow: false, caughtUp: null, silenceLimit: null, cancellationToken);
            if (call.CaughtUp)
            {
                return pull.Summary(caughtUp: true);
            }

            // Cut short while changes remain: go on at once. A call that dropped or sent nothing is made again after a
            // pause, and only failures in a row without a single message count towards giving up.
            failures = call.Messages > 0 ? 0 : failures + 1;
            if (call.Messages > 0 && call.Error is null)
            {
                continue;
            }

            if (failures == MaxAttempts)
            {
                throw call.Error ?? new RpcException(new Status(StatusCode.Unavailable, "The server ended the pull without sending anything."));
            }

            await Task.Delay(FollowTiming.Default.Delay(Math.Max(1, failures)), cancellationToken);
        }
    }

    /// <summary>
    /// Pulls, then keeps receiving new changes as they are committed (<c>follow</c>), until <paramref name="cancellationToken"/>
    /// is cancelled: that ends it cleanly and returns what it applied. A stream that drops, ends or falls silent is
    /// called again from the stored cursor after a capped exponential backoff, reset by every change received; against a
    /// server that ends the stream once caught up this is polling, with the backoff as the interval.
    /// <paramref name="caughtUp"/> runs whenever the view has caught up (heartbeats included), with the totals so far.
    /// Refusals (authentication, permission, a bad cursor) end it with their exception.
    /// </summary>
    public static async Task<PullSummary> FollowAsync(
        CaseService.CaseServiceClient cases, string parent, LocalView view, Func<PullSummary, CancellationToken, Task>? caughtUp = null,
        FollowTiming? timing = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        timing ??= FollowTiming.Default;
        var pull = new Pull(cases, parent, view, progress: null);
        var lastCaughtUp = false;
        try
        {
            for (var idle = 0; ;)
            {
                var applied = pull.Applied;
                var call = await pull.CallAsync(follow: true, caughtUp, timing.SilenceLimit, cancellationToken);
                lastCaughtUp = call.CaughtUp;
                if (pull.Applied > applied)
                {
                    idle = 0;
                    if (!call.CaughtUp && call.Error is null)
                    {
                        continue; // cut short while changes remain: go on at once
                    }
                }

                await Task.Delay(timing.Delay(++idle), cancellationToken);
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            return pull.Summary(lastCaughtUp);
        }
    }

    /// <summary>Failures worth calling again for: the stream dropped or was reset, the server restarted or is busy.</summary>
    private static bool IsTransient(RpcException e) => e.StatusCode is
        StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded or StatusCode.Aborted or StatusCode.ResourceExhausted;

    private sealed record CallResult(int Messages, bool CaughtUp, RpcException? Error);

    /// <summary>One pull's running totals and its calls.</summary>
    private sealed class Pull(CaseService.CaseServiceClient cases, string parent, LocalView view, IProgress<int>? progress)
    {
        private int _upserts;
        private int _deletions;

        public int Applied => _upserts + _deletions;

        public PullSummary Summary(bool caughtUp) => new(_upserts, _deletions, view.Count, caughtUp);

        /// <summary>
        /// One call from the stored cursor, applying each message as it arrives. Ends when the stream does; a transient
        /// failure (or, with <paramref name="silenceLimit"/>, a stream silent that long) is returned, not thrown.
        /// </summary>
        public async Task<CallResult> CallAsync(bool follow, Func<PullSummary, CancellationToken, Task>? caughtUp, TimeSpan? silenceLimit, CancellationToken cancellationToken)
        {
            var (messages, isCaughtUp) = (0, false);
            using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                using var call = cases.PullChanges(new PullChangesRequest { Parent = parent, Cursor = view.Cursor, Follow = follow }, cancellationToken: silence.Token);
                while (true)
                {
                    if (silenceLimit is { } limit)
                    {
                        silence.CancelAfter(limit);
                    }

                    if (!await call.ResponseStream.MoveNext(silence.Token))
                    {
                        return new CallResult(messages, isCaughtUp, null);
                    }

                    silence.CancelAfter(Timeout.InfiniteTimeSpan);
                    // A message already buffered may still arrive after Ctrl-C: stop before applying it.
                    cancellationToken.ThrowIfCancellationRequested();
                    var message = call.ResponseStream.Current;
                    var (upserts, deletions) = view.Apply(message);
                    (_upserts, _deletions, messages, isCaughtUp) = (_upserts + upserts, _deletions + deletions, messages + 1, message.CaughtUp);
                    progress?.Report(Applied);
                    if (isCaughtUp && caughtUp is not null)
                    {
                        await caughtUp(Summary(caughtUp: true), cancellationToken);
                    }
                }
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested && (IsTransient(e) || (e.StatusCode == StatusCode.Cancelled && silence.IsCancellationRequested)))
            {
                return new CallResult(messages, false, e);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && silence.IsCancellationRequested)
            {
                return new CallResult(messages, false, new RpcException(new Status(StatusCode.DeadlineExceeded, "The stream fell silent.")));
            }
        }
    }
}
