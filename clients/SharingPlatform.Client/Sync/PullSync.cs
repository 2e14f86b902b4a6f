using Grpc.Core;
using SharingPlatform.V1;

namespace SharingPlatform.Client.Sync;

/// <summary>What one pull did.</summary>
public sealed record PullSummary(int Upserts, int Deletions, int Held, bool CaughtUp);

/// <summary>
/// Pulls the caller's feed into a <see cref="LocalView"/>, saving every few thousand changes and when stopped
/// (caught up, cancelled or failed), so that a rerun resumes exactly where the saved cursor says.
/// </summary>
public static class PullSync
{
    public const int SaveEvery = 5000;

    public static async Task<PullSummary> PullAsync(
        CaseService.CaseServiceClient cases, string parent, LocalView view, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var (upserts, deletions, unsaved) = (0, 0, 0);
        var caughtUp = false;
        try
        {
            using var call = cases.PullChanges(new PullChangesRequest { Parent = parent, Cursor = view.Cursor }, cancellationToken: cancellationToken);
            await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                // A message already buffered may still arrive after Ctrl-C: stop before applying it.
                cancellationToken.ThrowIfCancellationRequested();
                var (u, d) = view.Apply(message);
                (upserts, deletions, unsaved) = (upserts + u, deletions + d, unsaved + message.Changes.Count);
                caughtUp = message.CaughtUp;
                progress?.Report(upserts + deletions);
                if (unsaved >= SaveEvery)
                {
                    view.Save();
                    unsaved = 0;
                }
            }
        }
        finally
        {
            // Whatever was applied (whole messages only) is kept with its cursor, also on Ctrl-C or a dropped stream.
            view.Save();
        }

        return new PullSummary(upserts, deletions, view.Count, caughtUp);
    }
}
