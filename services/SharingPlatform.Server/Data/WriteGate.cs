using System.Collections.Concurrent;

namespace SharingPlatform.Server.Data;

/// <summary>
/// One writer at a time per SQLite database in this process, in arrival order, audit appends first. SQLite lets one
/// transaction write; the others wait in its busy handler, which sleeps and retries (up to 100 ms a sleep), so a
/// waiting writer may sleep through several turns of others. Waiting here instead hands the lock over the moment it
/// is free, and a read whose audit event waits behind pushes waits for the push in progress only.
/// (PostgreSQL and SQL Server queue row locks themselves; they do not use the gate.)
/// </summary>
public sealed class WriteGate
{
    private static readonly ConcurrentDictionary<string, WriteGate> Gates = new(StringComparer.Ordinal);

    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _urgent = new();
    private readonly Queue<TaskCompletionSource> _waiting = new();
    private bool _held;

    /// <summary>How many writers wait for their turn.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _urgent.Count + _waiting.Count;
            }
        }
    }

    /// <summary>The gate of the database a connection string names (one per file per process).</summary>
    public static WriteGate For(string connectionString) => Gates.GetOrAdd(connectionString, _ => new WriteGate());

    /// <summary>Waits for the turn to write; dispose the result to hand it on. <paramref name="urgent"/> goes first.</summary>
    public async Task<IDisposable> EnterAsync(bool urgent, CancellationToken cancellationToken)
    {
        TaskCompletionSource turn;
        lock (_lock)
        {
            if (!_held)
            {
                _held = true;
                return new Turn(this);
            }

            turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (urgent ? _urgent : _waiting).Enqueue(turn);
        }

        try
        {
            await turn.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Handed over after all (the cancellation lost the race): pass the turn on rather than keep it.
            if (!turn.TrySetCanceled(cancellationToken))
            {
                Release();
            }

            throw;
        }

        return new Turn(this);
    }

    private void Release()
    {
        lock (_lock)
        {
            while (_urgent.TryDequeue(out var next) || _waiting.TryDequeue(out next))
            {
                if (next.TrySetResult())
                {
                    return; // the turn passes on, still held
                }
            }

            _held = false;
        }
    }

    private sealed class Turn(WriteGate gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
