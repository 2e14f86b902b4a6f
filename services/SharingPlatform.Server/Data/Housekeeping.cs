using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Hosting;

namespace SharingPlatform.Server.Data;

/// <summary>
/// Deletes what has outlived its use, in the background instead of on every push and token request: push and request
/// receipts older than <see cref="CaseWriter.ReceiptRetention"/> and client assertions past their expiry by a clock skew. Runs shortly after
/// start and then every <see cref="Interval"/>. Until a row is purged, its readers treat it as gone: an expired receipt
/// answers no replay, an expired assertion refuses no jti.
/// </summary>
public sealed class Housekeeping(IServiceScopeFactory scopes, TimeProvider time, ILogger<Housekeeping> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    /// <summary>Deletes expired receipts and assertions; returns how many of each.</summary>
    public async Task<(int Receipts, int Assertions)> PurgeAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SharingDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var oldest = now - CaseWriter.ReceiptRetention;
        var receipts = await db.PushReceipts.Where(r => r.CreateTime < oldest).ExecuteDeleteAsync(cancellationToken)
            + await db.RequestReceipts.Where(r => r.CreateTime < oldest).ExecuteDeleteAsync(cancellationToken);
        // A replica whose clock is behind may accept an assertion until its own clock passes the expiry: keep the jti
        // one clock skew longer (replicas' clocks must agree within it).
        var spent = now - Identity.ClientAssertionRules.ClockSkew;
        var assertions = await db.UsedClientAssertions.Where(a => a.ExpireTime < spent).ExecuteDeleteAsync(cancellationToken);
        return (receipts, assertions);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    await PurgeAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // Nothing is lost by purging later; the next round tries again.
                    Log.HousekeepingFailed(logger, exception.GetType().FullName);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
