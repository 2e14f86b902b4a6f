using Microsoft.Extensions.Diagnostics.HealthChecks;
using SharingPlatform.Server.Data;

namespace SharingPlatform.Server.Hosting;

/// <summary>Healthy while the database answers; says nothing else.</summary>
public sealed class DatabaseHealthCheck(SharingDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy();
}
