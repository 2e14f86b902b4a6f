using Grpc.Core;
using SharingPlatform.V1;

namespace SharingPlatform.Client.Sync;

/// <summary>
/// Pushes records in batches of 500. Each batch gets one request id, and a transient failure (server
/// unavailable, deadline, aborted) is retried with the same id: the server answers a replay with the first
/// answer, so a batch is applied once however often it is sent.
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

    /// <summary>Retries <paramref name="call"/> on transient failures with exponential backoff (0.5 s, 1 s, 2 s, 4 s).</summary>
    public static async Task<T> WithRetriesAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (RpcException e) when (attempt < MaxAttempts && e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Aborted)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500 * Math.Pow(2, attempt - 1)), cancellationToken);
            }
        }
    }
}
