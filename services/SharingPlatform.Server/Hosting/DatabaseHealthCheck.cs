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

        if (watch.Problem(options.Value.IntegrityCheckInterval) is not null)
        {
            return HealthCheckResult.Unhealthy("database-damaged");
        }

        // A damaged chain is checked again at each probe (one cheap statement), so that a repaired one clears.
        if (audit.Fault is not null)
        {
            await audit.CheckHeadAsync(db, cancellationToken);
        }

        return audit.Fault is not null ? HealthCheckResult.Unhealthy("audit-chain-damaged")
            : storage.IsFull(db) ? HealthCheckResult.Unhealthy("storage-full")
            : HealthCheckResult.Healthy();
    }
}

/// <summary>
/// The last sanity check of the database and when it ran. A probe that finds it stale starts the next one in the
/// background and answers from the last result: <c>quick_check</c> reads the whole file, which on a large database
/// takes longer than a probe may wait.
/// </summary>
public sealed class IntegrityWatch(IServiceScopeFactory scopes, TimeProvider time, ILogger<IntegrityWatch> logger)
{
    private readonly Lock _gate = new();
    private DateTimeOffset _checked = DateTimeOffset.MinValue;
    private Task _running = Task.CompletedTask;
    private string? _problem;

    public string? Problem(TimeSpan interval)
    {
        lock (_gate)
        {
            if (_running.IsCompleted && time.GetUtcNow() - _checked >= interval)
            {
                _running = Task.Run(CheckAsync);
            }

            return _problem;
        }
    }

    /// <summary>Keeps a result found elsewhere (the check at start).</summary>
    public void Record(string? problem)
    {
        lock (_gate)
        {
            if (problem is not null && _problem is null)
            {
                Log.DatabaseDamaged(logger, problem);
            }

            _problem = problem;
            _checked = time.GetUtcNow();
        }
    }

    private async Task CheckAsync()
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            Record(await DatabaseIntegrity.ProblemAsync(scope.ServiceProvider.GetRequiredService<SharingDbContext>(), CancellationToken.None));
        }
        catch (Exception failure)
        {
            // Unreachable or busy now: the database check above reports the first, the next probe tries again.
            Log.IntegrityCheckFailed(logger, failure.GetType().FullName);
        }
    }
}
