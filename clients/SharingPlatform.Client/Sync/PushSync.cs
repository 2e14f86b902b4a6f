using Google.Rpc;
using Grpc.Core;
using SharingPlatform.V1;

namespace SharingPlatform.Client.Sync;

/// <summary>
/// Pushes records in batches of 500. Each batch gets one request id, and a transient failure (server
/// unavailable, deadline, aborted, or the client's rate limit) is retried with the same id: the server answers a
/// replay with the first answer, so a batch is applied once however often it is sent.
/// </summary>
public static class PushSync
{
    public const int BatchSize = 500;
    public const int MaxAttempts = 5;
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static async Task<IReadOnlyList<PushResult>> PushAsync(
        CaseService.CaseServiceClient cases, string parent, IReadOnlyList<CaseRecord> records, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var results = new List<PushResult>(records.Count);
        foreach (var batch in records.Chunk(BatchSize))
        {
            var request = new PushCasesRequest { Parent = parent, RequestId = Guid.NewGuid().ToString("N"), Records = { batch } };
            var response = await WithRetriesAsync(() => cases.PushCasesAsync(request, deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
            results.AddRange(response.Results);
            progress?.Report(results.Count);
        }

        return results;
    }

    /// <summary>The longest wait a server's RetryInfo may ask for before a retry; a longer one is cut to this.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Retries <paramref name="call"/> on transient failures: after the server's RetryInfo delay when it sends one
    /// (RATE_LIMITED, SERVER_STOPPING), else with exponential backoff (0.5 s, 1 s, 2 s, 4 s).
    /// </summary>
    public static async Task<T> WithRetriesAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (RpcException e) when (attempt < MaxAttempts && IsTransient(e))
            {
                var backoff = TimeSpan.FromMilliseconds(500 * Math.Pow(2, attempt - 1));
                await Task.Delay(RetryDelay(e) ?? backoff, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Worth sending again unchanged: the server was unreachable, slow or stopping, or the client went past its rate
    /// limit. Other RESOURCE_EXHAUSTED reasons (a message too large) would fail the same way again.
    /// </summary>
    public static bool IsTransient(RpcException e) => e.StatusCode switch
    {
        StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Aborted => true,
        StatusCode.ResourceExhausted => e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason == "RATE_LIMITED",
        _ => false,
    };

    /// <summary>The server's RetryInfo delay, no longer than <see cref="MaxRetryDelay"/>; null when it sent none.</summary>
    public static TimeSpan? RetryDelay(RpcException e) =>
        e.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay?.ToTimeSpan() is { } delay
            ? (delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxRetryDelay ? MaxRetryDelay : delay)
            : null;
}
