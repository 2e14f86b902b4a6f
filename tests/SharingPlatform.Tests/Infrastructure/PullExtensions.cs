using Grpc.Core;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Infrastructure;

public static class PullExtensions
{
    /// <summary>Reads a whole pull stream; returns every change and the last cursor.</summary>
    public static async Task<(List<Change> Changes, string Cursor, bool CaughtUp)> PullAllAsync(
        this CaseService.CaseServiceClient cases, string parent, string cursor = "", int batchSize = 0, int maxChanges = 0)
    {
        using var call = cases.PullChanges(new PullChangesRequest { Parent = parent, Cursor = cursor, BatchSize = batchSize, MaxChanges = maxChanges });
        var changes = new List<Change>();
        var caughtUp = false;
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            changes.AddRange(message.Changes);
            cursor = message.NextCursor;
            caughtUp = message.CaughtUp;
        }

        return (changes, cursor, caughtUp);
    }
}
