using Microsoft.Extensions.Options;
using SharingPlatform.Server.Access;

namespace SharingPlatform.Server.Audit;

/// <summary>
/// Refusals counted in memory for the current window, so that a flood costs one audit append per source and kind, not
/// one per request (each append is serialized on the chain's head). <see cref="RefusalFlush"/> writes the counts when
/// the window closes. Bounded: past <c>RateLimits:MaxTrackedSources</c> keys, new sources share one overflow count.
/// </summary>
public sealed class RefusalCounts(IOptions<RateLimitOptions> options)
{
    private readonly Lock _lock = new();
    private Dictionary<RefusalKey, long> _counts = [];

    /// <summary>
    /// True for the first refusal of its kind from its source in this window: record it as an event of its own. False
    /// when it was counted instead.
    /// </summary>
    public bool Admit(RefusalKey key)
    {
        lock (_lock)
        {
            key = Tracked(key);
            if (_counts.TryGetValue(key, out var counted))
            {
                _counts[key] = counted + 1;
                return false;
            }

            _counts[key] = 0;
            return true;
        }
    }

    /// <summary>Counts a refusal that never gets an event of its own (a rate-limited request: a flood by definition).</summary>
    public void Count(RefusalKey key)
    {
        lock (_lock)
        {
            key = Tracked(key);
            _counts[key] = _counts.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>Refusals counted in this window and not yet written.</summary>
    public long Pending
    {
        get
        {
            lock (_lock)
            {
                return _counts.Values.Sum();
            }
        }
    }

    /// <summary>Closes the window: returns what was counted in it and starts the next one empty.</summary>
    public IReadOnlyList<KeyValuePair<RefusalKey, long>> CloseWindow()
    {
        Dictionary<RefusalKey, long> closed;
        lock (_lock)
        {
            closed = _counts;
            _counts = [];
        }

        return [.. closed.Where(c => c.Value > 0)];
    }

    private RefusalKey Tracked(RefusalKey key) =>
        _counts.Count < options.Value.MaxTrackedSources || _counts.ContainsKey(key) ? key : key.Overflow();
}
