using System.Globalization;
using Microsoft.Extensions.Options;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Hosting;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Audit;

/// <summary>
/// Writes the refusals counted in each window as one event per source and kind, with the count in the request id:
/// <c>refusals=N;window=60s</c>, and <c>;source=ip:...</c> for an unauthenticated source. Runs every window and once
/// more at shutdown, so that a stopped server leaves no count unwritten.
/// </summary>
public sealed class RefusalFlush(
    RefusalCounts counts, AuditChain chain, IServiceScopeFactory scopes, IOptions<RateLimitOptions> options, TimeProvider time,
    ILogger<RefusalFlush> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefusalWindow, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var window = ((long)options.Value.RefusalWindow.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        foreach (var (key, count) in counts.CloseWindow())
        {
            try
            {
                var tenant = key.ActorTenant ?? await TenantOfAsync(key.ActorClient, cancellationToken);
                var requestId = $"refusals={count.ToString(CultureInfo.InvariantCulture)};window={window}s" + (key.Source.Length > 0 ? ";source=" + key.Source : "");
                await chain.AppendAloneAsync(new AuditEntry(key.ActorClient, tenant, key.Action, [], "", key.Outcome, requestId), cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || cancellationToken.IsCancellationRequested)
            {
                // The server keeps serving (or, when shutdown is cut short, stops without throwing); the operator learns
                // how many refusals went unrecorded, never from whom.
                Log.RefusalsNotRecorded(logger, count, exception.GetType().FullName);
            }
        }
    }

    private async Task<string> TenantOfAsync(string clientId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SharingDbContext>();
        return (await ClientStanding.FindAsync(db, clientId, cancellationToken))?.TenantSlug ?? "-";
    }
}
