using Microsoft.Extensions.Options;
using Npgsql;
using SharingPlatform.Server.Hosting;

namespace SharingPlatform.Server.Data;

/// <summary>
/// On PostgreSQL: one dedicated connection per server process that LISTENs on <see cref="ChangeSequence.NotifyChannel"/>
/// and pulses the process's <see cref="ChangeSignal"/> for every notification, whichever replica committed. When the
/// connection drops it reconnects with growing pauses, and pulses once after each (re)connect: notifications sent while
/// nobody listened are lost. Meanwhile followers still run a pass at every heartbeat, so nothing is lost, only late.
/// </summary>
public sealed class PostgresChangeListener(ChangeSignal signal, IOptions<DatabaseOptions> database, TimeProvider time, ILogger<PostgresChangeListener> logger)
    : BackgroundService
{
    /// <summary>The listener's <c>application_name</c>, so that operators can find it in <c>pg_stat_activity</c>.</summary>
    public const string ApplicationName = "sharingplatform-change-listener";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(database.Value.ConnectionString)
        {
            ApplicationName = ApplicationName,
            // Its own physical connection, never returned to a pool (which would UNLISTEN it).
            Pooling = false,
            // A LISTEN connection only reads; keepalives are what notice a peer that vanished without closing.
            KeepAlive = 15,
        }.ConnectionString;
        var retry = FirstRetry;
        var lost = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Pulse();
                await using (var listen = new NpgsqlCommand("LISTEN " + ChangeSequence.NotifyChannel, connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                if (lost)
                {
                    Log.ChangeListenerRestored(logger);
                }

                lost = false;
                retry = FirstRetry;
                signal.Pulse(); // whatever committed while nobody listened
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The type only: a provider message can carry connection details.
                Log.ChangeListenerLost(logger, exception.GetType().FullName, retry.TotalSeconds);
                lost = true;
            }

            try
            {
                await Task.Delay(retry, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
        }
    }
}
