using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// Streams the change feed: rows with a sequence above the cursor, in sequence order, many per message,
/// each message carrying the cursor after its last change so that a client resumes exactly there.
/// Sequences are assigned in commit order (see <see cref="Data.ChangeSequence"/>), so nothing is skipped.
/// </summary>
public sealed class CaseFeed(CaseScope scope)
{
    public const int DefaultBatch = 500;
    public const int MaxBatch = 1000;

    /// <summary>A message is sent before it would pass this size, well under the 4 MB clients accept by default.</summary>
    public const int MessageBudgetBytes = 3 * 1024 * 1024;

    public async Task PullAsync(Caller caller, PullChangesRequest request, IServerStreamWriter<PullChangesResponse> stream, CancellationToken cancellationToken)
    {
        if (!TenantNames.TryParse(request.Parent, out var slug))
        {
            RpcErrors.InvalidArgument("parent", "INVALID_FORMAT", "Must be tenants/{tenant}.");
        }

        if (scope.Readable(caller, slug) is null)
        {
            RpcErrors.NotFound(request.Parent);
        }

        if (!PullCursor.TryParse(request.Cursor, out var seq))
        {
            RpcErrors.InvalidArgument("cursor", "INVALID_CURSOR", "Not a cursor this server issued; start again with an empty cursor.");
        }

        if (request.BatchSize is < 0 or > MaxBatch)
        {
            RpcErrors.InvalidArgument("batch_size", "OUT_OF_RANGE", $"Must be 0 (default {DefaultBatch}) to {MaxBatch}.");
        }

        if (request.MaxChanges < 0)
        {
            RpcErrors.InvalidArgument("max_changes", "OUT_OF_RANGE", "Must be 0 (no limit) or more.");
        }

        var batch = request.BatchSize == 0 ? DefaultBatch : request.BatchSize;
        var remaining = request.MaxChanges == 0 ? long.MaxValue : request.MaxChanges;
        while (true)
        {
            var take = (int)Math.Min(batch, remaining);
            var rows = await scope.Feed(caller).AsNoTracking()
                .Where(c => c.Seq > seq)
                .OrderBy(c => c.Seq)
                .Take(take)
                .ToListAsync(cancellationToken);

            var message = new PullChangesResponse();
            var size = 0;
            foreach (var row in rows)
            {
                var change = CaseMapping.ToChange(row, caller.TenantSlug);
                var changeSize = change.CalculateSize();
                if (message.Changes.Count > 0 && size + changeSize > MessageBudgetBytes)
                {
                    message.NextCursor = PullCursor.Format(seq);
                    await stream.WriteAsync(message, cancellationToken);
                    message = new PullChangesResponse();
                    size = 0;
                }

                message.Changes.Add(change);
                size += changeSize;
                seq = row.Seq;
            }

            remaining -= rows.Count;
            message.NextCursor = PullCursor.Format(seq);
            message.CaughtUp = rows.Count < take;
            await stream.WriteAsync(message, cancellationToken);
            if (message.CaughtUp || remaining == 0)
            {
                return;
            }
        }
    }
}
