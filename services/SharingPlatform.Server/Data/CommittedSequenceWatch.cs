using SharingPlatform.Server.Hosting;

namespace SharingPlatform.Server.Data;

/// <summary>
/// On SQL Server, which has no LISTEN/NOTIFY: one check per server process, every <see cref="Interval"/>, of the
/// committed high-water mark; when it moved, the process's <see cref="ChangeSignal"/> is pulsed. One small read per
/// process and interval however many followers there are (never a loop per stream). Commits through this process
/// also pulse at once (<see cref="CommitPulse"/>); those through another replica arrive within an interval.
/// </summary>
public sealed class CommittedSequenceWatch(IServiceScopeFactory scopes, ChangeSignal signal, TimeProvider time, ILogger<CommittedSequenceWatch> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? last = null;
        var failing = false;
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var high = await ChangeSequence.CommittedAsync(scope.ServiceProvider.GetRequiredService<SharingDbContext>(), stoppingToken);
                    // Also at the first read and after an outage: commits meanwhile were not seen.
                    if (high != last)
                    {
                        signal.Pulse();
                        last = high;
                    }

                    failing = false;
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // Logged once per outage, by type only; followers fall back on their heartbeat passes meanwhile.
                    if (!failing)
                    {
                        Log.CommittedSequenceWatchFailed(logger, exception.GetType().FullName);
                    }

                    failing = true;
                    last = null;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
