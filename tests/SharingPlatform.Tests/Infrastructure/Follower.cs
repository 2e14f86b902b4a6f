using System.Diagnostics;
using System.Threading.Channels;
using Grpc.Core;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>
/// A following PullChanges call (<c>follow</c> set), read in the background: each message is kept with the moment it
/// arrived, and <see cref="Ended"/> tells how the call ended.
/// </summary>
public sealed class Follower : IDisposable
{
    private readonly AsyncServerStreamingCall<PullChangesResponse> _call;
    private readonly Channel<Arrival> _arrivals = Channel.CreateUnbounded<Arrival>();
    private readonly CancellationTokenSource _cancel = new();
    private bool _disposed;

    public Follower(CaseService.CaseServiceClient cases, PullChangesRequest request, DateTime? deadline = null)
    {
        request.Follow = true;
        _call = cases.PullChanges(request, deadline: deadline, cancellationToken: _cancel.Token);
        Ended = ReadAsync();
    }

    /// <summary>How the call ended: OK, or the status it failed with.</summary>
    public Task<StatusCode> Ended { get; }

    /// <summary>The status of a call that failed, with its details.</summary>
    public RpcException? Failure { get; private set; }

    /// <summary>The next message, or null if none arrives within <paramref name="timeout"/> (or the call ended).</summary>
    public async Task<Arrival?> NextAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            return await _arrivals.Reader.ReadAsync(wait.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Messages until they hold <paramref name="count"/> changes in all, or null if they do not within <paramref name="timeout"/>.</summary>
    public async Task<List<Change>?> ChangesAsync(int count, TimeSpan timeout)
    {
        var changes = new List<Change>();
        var clock = Stopwatch.StartNew();
        while (changes.Count < count)
        {
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero || await NextAsync(left) is not { } arrival)
            {
                return null;
            }

            changes.AddRange(arrival.Message.Changes);
        }

        return changes;
    }

    /// <summary>Cancels the call from the client's side.</summary>
    public void Cancel() => _cancel.Cancel();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _cancel.Cancel();
        _call.Dispose();
        _cancel.Dispose();
    }

    private async Task<StatusCode> ReadAsync()
    {
        try
        {
            await foreach (var message in _call.ResponseStream.ReadAllAsync())
            {
                await _arrivals.Writer.WriteAsync(new Arrival(message, Stopwatch.GetTimestamp()));
            }

            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            Failure = exception;
            return exception.StatusCode;
        }
        finally
        {
            _arrivals.Writer.Complete();
        }
    }

    /// <param name="At">When it arrived, a <see cref="Stopwatch"/> timestamp.</param>
    public sealed record Arrival(PullChangesResponse Message, long At);
}
