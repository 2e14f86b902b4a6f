using Microsoft.Extensions.Options;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// Counts the following pulls each client holds open on this server process, up to
/// <see cref="FeedOptions.MaxFollowsPerClient"/>: each one holds a wait and a database pass per change.
/// </summary>
public sealed class FollowSlots(IOptions<FeedOptions> options, Observability.PlatformMetrics metrics)
{
    private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);

    public bool TryTake(string clientId)
    {
        lock (_held)
        {
            var held = _held.GetValueOrDefault(clientId);
            if (held >= options.Value.MaxFollowsPerClient)
            {
                return false;
            }

            _held[clientId] = held + 1;
            metrics.FollowOpened();
            return true;
        }
    }

    public void Release(string clientId)
    {
        lock (_held)
        {
            metrics.FollowClosed();
            var held = _held.GetValueOrDefault(clientId) - 1;
            if (held > 0)
            {
                _held[clientId] = held;
            }
            else
            {
                _held.Remove(clientId);
            }
        }
    }
}
