using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Data;

namespace SharingPlatform.Server.Hosting;

/// <summary>
/// Healthy while the database answers, passed its last sanity check (<see cref="DatabaseIntegrity"/>, at most every
/// <see cref="DatabaseOptions.IntegrityCheckInterval"/>) and the audit chain can take events. An unhealthy answer names
/// the fault in a word (<c>database-unreachable</c>, <c>database-damaged</c>, <c>audit-chain-damaged</c>, <c>storage-full</c>); the details
/// are in the log, at Critical, when the fault is found.
/// </summary>
public sealed class DatabaseHealthCheck(SharingDbContext db, AuditChain audit, IntegrityWatch watch, StorageState storage, IOptions<DatabaseOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!await db.Database.CanConnectAsync(cancellationToken))
        {
            return HealthCheckResult.Unhealthy("database-unreachable");
        }

        if (await watch.ProblemAsync(db, options.Value.IntegrityCheckInterval, cancellationToken) is not null)
        {
            return HealthCheckResult.Unhealthy("database-damaged");
        }

        return audit.Fault is not null ? HealthCheckResult.Unhealthy("audit-chain-damaged")
            : storage.IsFull(db) ? HealthCheckResult.Unhealthy("storage-full")
            : HealthCheckResult.Healthy();
    }
}

/// <summary>The last sanity check of the database and when it ran, so that health probes do not repeat it each time.</summary>
public sealed class IntegrityWatch(TimeProvider time, ILogger<IntegrityWatch> logger) : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);
    private DateTimeOffset _checked = DateTimeOffset.MinValue;
    private string? _problem;

    public async Task<string?> ProblemAsync(SharingDbContext db, TimeSpan interval, CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken);
        try
        {
            if (time.GetUtcNow() - _checked >= interval)
            {
                Record(await DatabaseIntegrity.ProblemAsync(db, cancellationToken));
            }

            return _problem;
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>Keeps a result found elsewhere (the check at start).</summary>
    public void Record(string? problem)
    {
        if (problem is not null && _problem is null)
        {
            Log.DatabaseDamaged(logger, problem);
        }

        _problem = problem;
        _checked = time.GetUtcNow();
    }

    public void Dispose() => _one.Dispose();
}
